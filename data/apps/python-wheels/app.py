"""Needs psycopg2, a PostgreSQL driver with a C extension compiled against libpq."""
import psycopg2
import psycopg2.extensions

print(f"psycopg2 {psycopg2.__version__.split()[0]}, built against libpq {psycopg2.extensions.libpq_version()}")
