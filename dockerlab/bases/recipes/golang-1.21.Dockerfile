# Stand-in for the official golang:1.21, built from Debian's golang-1.21 (bookworm-backports).
# Like the official image it carries gcc, libc headers and git next to the Go toolchain.
FROM debian:bookworm-slim
ARG DEBIAN_MIRROR=http://deb.debian.org/debian
RUN echo "deb ${DEBIAN_MIRROR} bookworm-backports main" > /etc/apt/sources.list.d/backports.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends -t bookworm-backports golang-1.21-go \
 && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev make pkg-config git \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENV GOLANG_VERSION=1.21 \
    GOTOOLCHAIN=local \
    GOPATH=/go \
    PATH=/go/bin:/usr/lib/go-1.21/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
