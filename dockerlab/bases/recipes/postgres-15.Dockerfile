# Stand-in for postgres:15, built from Debian's postgresql-15. The entrypoint honours
# POSTGRES_PASSWORD, POSTGRES_USER and POSTGRES_DB like the official one and initialises the
# data directory on first start. It runs as the postgres user and says when it is healthy.
FROM debian:bookworm-slim
# The last two lines remove files no running server reads: JIT inlining bitcode (JIT itself still
# works), locale sources for localedef (the server uses C.UTF-8), manual pages and the C
# headers for compiling perl modules.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/dockerlab.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && rm -rf /usr/lib/postgresql/15/lib/bitcode /usr/share/i18n/locales /usr/share/i18n/charmaps /usr/share/postgresql/15/man \
 && rm -f /usr/lib/x86_64-linux-gnu/perl/5.36/CORE/*.h
ENV PG_MAJOR=15 \
    PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY files/postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh \
 && mkdir -p "$PGDATA" /var/run/postgresql /docker-entrypoint-initdb.d \
 && chown -R postgres:postgres "$PGDATA" /var/run/postgresql \
 && chmod 700 "$PGDATA" && chmod 2777 /var/run/postgresql
VOLUME /var/lib/postgresql/data
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
HEALTHCHECK --interval=2s --timeout=3s --start-period=60s --retries=5 \
  CMD pg_isready --host=127.0.0.1 --username="${POSTGRES_USER:-postgres}" --quiet || exit 1
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
