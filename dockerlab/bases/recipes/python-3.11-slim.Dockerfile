# Stand-in for the official python:3.11-slim, built from Debian bookworm's own packages.
# Debian's python3.11 lives in /usr/bin (the official image compiles it into /usr/local);
# `python` and `pip` are on PATH and pip may install system-wide, as in the official image.
# Like the official image it ships no compiled .pyc files (Python writes them when needed).
FROM debian:bookworm-slim
ENV LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.11 python3-pip python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && find /usr/lib/python3 /usr/lib/python3.11 -depth -name __pycache__ -exec rm -rf {} + \
 && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && python --version && pip --version
CMD ["python3"]
