# The small Linux VM for the VM-vs-container comparison: Debian's stock kernel and a busybox
# initramfs whose /init prints a marker and powers off. Only qemu runs on the host.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox-static cpio gzip \
 && cd /tmp \
 && apt-get download "$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image/ {print $2; exit}')" \
 && dpkg-deb -x linux-image-*.deb /tmp/kernel \
 && mkdir -p /vm /tmp/initramfs/bin /tmp/initramfs/proc /tmp/initramfs/dev \
 && cp /tmp/kernel/boot/vmlinuz-* /vm/vmlinuz \
 && du -sb /tmp/kernel | cut -f1 > /vm/kernel-package-bytes \
 && cp /bin/busybox /tmp/initramfs/bin/busybox \
 && mknod -m 600 /tmp/initramfs/dev/console c 5 1 \
 && printf '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\necho DOCKERLAB-VM-USERSPACE-READY\n/bin/busybox poweroff -f\n' > /tmp/initramfs/init \
 && chmod 755 /tmp/initramfs/init \
 && cd /tmp/initramfs && find . | cpio -o -H newc 2>/dev/null | gzip -1 > /vm/initramfs.gz \
 && rm -rf /tmp/kernel /tmp/initramfs /tmp/*.deb /var/lib/apt/lists/*
