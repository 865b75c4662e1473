# Stand-in for alpine:3.20: a busybox userland (Debian's busybox-static) and CA certificates.
# It has a shell and the usual tools, but no apk package manager and no musl libc.
FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && cd /tmp && apt-get download busybox-static \
 && dpkg-deb -x busybox-static_*.deb /tmp/busybox \
 && mkdir -p /rootfs/bin /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/root /rootfs/home /rootfs/var /rootfs/proc /rootfs/sys /rootfs/dev \
 && cp /tmp/busybox/bin/busybox /rootfs/bin/busybox \
 && for applet in $(/rootfs/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "/rootfs/bin/$applet"; done \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > /rootfs/etc/passwd \
 && printf 'root:x:0:\nnobody:x:65534:\n' > /rootfs/etc/group \
 && printf 'NAME="dockerlab alpine stand-in (busybox)"\nID=alpine\nVERSION_ID=3.20\n' > /rootfs/etc/os-release \
 && chmod 1777 /rootfs/tmp && chmod 700 /rootfs/root

FROM scratch
COPY --from=builder /rootfs/ /
ENV PATH=/bin
# Self-test: a broken busybox copy would make this step fail instead of producing a tiny broken image.
RUN echo ok | grep -q ok && wget --help >/dev/null 2>&1; sh -c 'exit 0'
CMD ["/bin/sh"]
