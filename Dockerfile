# awsemu — multi-stage image on Debian 12 slim.
#
# The build stage runs exactly what CI runs to build: scripts/install-deps.sh
# (Debian's packages) and make. The runtime stage gets the binary, its plugins
# (/usr/local/lib/awsemu/awsemu-{saml,qr}.so, loaded at the first
# AssumeRoleWithSAML / CreateVirtualMFADevice: base/plugin.h) and only the
# packages that hold the libraries they load (scripts/runtime-packages.sh),
# and runs it as a non-root user on 0.0.0.0:4566 with its state in the /data
# volume.
#
#   docker build -t awsemu .
#   docker run -p 4566:4566 -v awsemu-data:/data awsemu
#   docker run -p 4566:4566 awsemu --ephemeral --iam enforce   # flags pass through

FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY . .
RUN sh scripts/install-deps.sh
RUN make -j"$(nproc)" all
RUN sh scripts/runtime-packages.sh bin/awsemu bin/awsemu-saml.so bin/awsemu-qr.so \
    > /src/runtime-packages

FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=build /src/runtime-packages /tmp/runtime-packages
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin awsemu \
 && mkdir -p /data && chown awsemu:awsemu /data && chmod 0700 /data
COPY --from=build /src/bin/awsemu /usr/local/bin/awsemu
COPY --from=build /src/bin/awsemu-saml.so /src/bin/awsemu-qr.so /usr/local/lib/awsemu/

# Every flag has an AWSEMU_* twin; a flag given to `docker run` wins.
ENV AWSEMU_HOST=0.0.0.0 AWSEMU_PORT=4566 AWSEMU_DATA_DIR=/data
USER awsemu
WORKDIR /data
VOLUME ["/data"]
EXPOSE 4566
# The probe reads the server's configuration: the container's environment
# plus the flags PID 1 (awsemu, or an init running it) was started with, so
# `docker run ... awsemu --port 5000` is probed on 5000. Podman keeps a
# HEALTHCHECK only when building with --format docker.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/awsemu", "--health-check=1"]
ENTRYPOINT ["/usr/local/bin/awsemu"]
