# Stand-in for gcr.io/distroless/static-debian12: no shell, no package manager, no libc;
# only what a static binary needs: CA certificates, time zones, /etc/services, and users
# root, nobody and nonroot (65532).
FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates netbase tzdata base-files \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share /rootfs/tmp /rootfs/home/nonroot /rootfs/root /rootfs/var/lib/dpkg/status.d \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && cp /etc/services /etc/protocols /etc/ethertypes /rootfs/etc/ \
 && cp -a /usr/share/zoneinfo /rootfs/usr/share/ && rm -rf /rootfs/usr/share/zoneinfo/right /rootfs/usr/share/zoneinfo/posix \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > /rootfs/etc/passwd \
 && printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' > /rootfs/etc/group \
 && printf 'hosts: files dns\n' > /rootfs/etc/nsswitch.conf \
 && printf 'PRETTY_NAME="Distroless stand-in (dockerlab)"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n' > /rootfs/etc/os-release \
 && for package in base-files netbase tzdata ca-certificates; do dpkg -s "$package" > "/rootfs/var/lib/dpkg/status.d/$package"; done \
 && chown 65532:65532 /rootfs/home/nonroot && chmod 1777 /rootfs/tmp && chmod 700 /rootfs/root

FROM scratch
COPY --from=builder /rootfs/ /
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
