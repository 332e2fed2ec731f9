# chanscope in a container: Debian, gdb, and the release archive (docs/install.md).
#   scripts/dist
#   docker build --build-arg ARCHIVE=target/dist/chanscope-0.1.0-SNAPSHOT-linux-amd64.tar.gz -t chanscope .
#   docker run --rm -v "$PWD:/work" chanscope analyze BIN CORE
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdb \
 && rm -rf /var/lib/apt/lists/*
ARG ARCHIVE
# ADD unpacks a local .tar.gz: /opt/chanscope-<version>-linux-amd64/
ADD ${ARCHIVE} /opt/
RUN ln -s /opt/chanscope-*-linux-amd64 /opt/chanscope \
 && ln -s /opt/chanscope/bin/chanscope /usr/local/bin/chanscope \
 && mkdir -p /usr/local/share/man/man1 \
 && ln -s /opt/chanscope/share/man/man1/* /usr/local/share/man/man1/ \
 && chanscope version
# The reports use UTF-8 (the verdict's dash); Debian images set no locale.
ENV LANG=C.UTF-8
WORKDIR /work
ENTRYPOINT ["chanscope"]
CMD ["--help"]
