# What the disk of a minimal Debian server VM must hold beyond a container image: a kernel and
# its modules, an init system, udev, networking and an SSH server. Built as an image only so its
# size can be measured the same way as every other image in the course; it is never booted.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends linux-image-amd64 systemd-sysv udev ifupdown isc-dhcp-client openssh-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
