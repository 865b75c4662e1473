# Stand-in for the official python:3.11 ("full") image: the slim stand-in plus what makes the
# official one big, a C toolchain and the -dev headers that wheels without binaries compile against.
FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential python3.11-dev pkg-config git curl wget procps \
      libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev \
      libreadline-dev libncurses-dev libxml2-dev libxslt1-dev libpq-dev libjpeg-dev libyaml-dev \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && gcc --version | head -n 1
CMD ["python3"]
