# Stand-in for registry:2, the Distribution registry (Debian's docker-registry, version 2.8),
# serving plain HTTP on port 5000 without authentication, like the official image.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends docker-registry \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY files/registry-config.yml /etc/docker/registry/config.yml
VOLUME /var/lib/registry
EXPOSE 5000
CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]
