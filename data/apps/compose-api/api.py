"""A small HTTP API that stores and lists items in PostgreSQL (standard library + pg8000).

GET /items lists them, POST /items {"name": "..."} adds one, GET /health answers when the database does.
It connects once at start-up, as many real services do: with CONNECT_RETRIES=0 (the default) a
database that is not ready yet makes it exit, which is the start-up race notebook 05 measures.
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pg8000.native


def failure_line(attempt, error):
    """The line the notebook reads as evidence: the error and, when it wraps one, its underlying cause
    (pg8000's InterfaceError wraps the ConnectionRefusedError or timeout that says why it failed)."""
    line = f"database connection failed (attempt {attempt + 1}): {type(error).__name__}: {error}"
    cause = error.__cause__ or error.__context__
    return line + (f" (cause: {type(cause).__name__}: {cause})" if cause is not None else "")


def connect():
    retries = int(os.environ.get("CONNECT_RETRIES", "0"))
    for attempt in range(retries + 1):
        try:
            return pg8000.native.Connection(
                user=os.environ.get("POSTGRES_USER", "postgres"),
                password=os.environ["POSTGRES_PASSWORD"],
                host=os.environ.get("DB_HOST", "db"),
                database=os.environ.get("POSTGRES_DB", "postgres"),
                timeout=5,
            )
        except Exception as error:  # the event the notebook counts
            print(failure_line(attempt, error), flush=True)
            if attempt == retries:
                sys.exit(1)
            time.sleep(0.5)


database = connect()
database.run("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)")
print("connected to the database; serving on :8000", flush=True)


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            database.run("SELECT 1")
            return self._send(200, {"status": "ok"})
        if self.path == "/items":
            rows = database.run("SELECT id, name FROM items ORDER BY id")
            return self._send(200, [{"id": row[0], "name": row[1]} for row in rows])
        self._send(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/items":
            return self._send(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", 0))
        name = json.loads(self.rfile.read(length) or b"{}").get("name")
        if not name:
            return self._send(400, {"error": "send {\"name\": \"...\"}"})
        row = database.run("INSERT INTO items (name) VALUES (:name) RETURNING id", name=name)
        self._send(201, {"id": row[0][0], "name": name})

    def log_message(self, format, *args):
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)


ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
