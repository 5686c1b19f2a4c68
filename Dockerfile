# syntax=docker/dockerfile:1
# The ocpp-bridge image: the project installed into a slim Python, run as a non-root user.
#   docker build -t <registry>/ocpp-bridge:0.1.0 \
#     --build-arg REVISION=$(git rev-parse HEAD) --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --stop-timeout 30 -e BRIDGE_CSMS_URL=wss://csms.example.com/ocpp -p 9100:9100 <image>
# The Helm chart (charts/ocpp-bridge) runs it with every setting in BRIDGE_* environment variables.
# tests/test_image.py simulates this file's start (no container engine needed): keep them in step.

ARG PYTHON_VERSION=3.11

# Build the project's wheel (the bridge package with its mapping tables).
FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Runtime: the wheel and its dependencies, at the versions pinned in constraints.txt, nothing else.
FROM python:${PYTHON_VERSION}-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ocpp-bridge" \
      org.opencontainers.image.description="Translating proxy: OCPP 1.6J charging stations <-> an OCPP 2.0.1 CSMS" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.documentation="README.md of the project"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 bridge \
 && useradd --system --uid 10001 --gid bridge --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bridge \
 && mkdir -p /var/lib/ocpp-bridge \
 && chown 10001:10001 /var/lib/ocpp-bridge
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --constraint /tmp/constraints.txt /wheels/*.whl && rm -rf /wheels /tmp/constraints.txt
# The bridge's data directory: the default store sqlite:///ocpp-bridge.sqlite3 is relative, so the
# SQLite file lands here, writable by the bridge's user; mount a volume here to keep it across containers.
WORKDIR /var/lib/ocpp-bridge
VOLUME /var/lib/ocpp-bridge
# Stations (settings.port), then /healthz, /readyz and /metrics (settings.adminPort).
EXPOSE 9100 9101
# GET /healthz on the admin port (BRIDGE_ADMIN_PORT if set; a --admin-port flag is not seen here).
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["ocpp-bridge", "healthcheck"]
# SIGTERM drains the stations for up to --drain-timeout (20 s): give `docker stop` more than that
# (docker run --stop-timeout 30, compose stop_grace_period: 30s); its default 10 s cuts the drain.
STOPSIGNAL SIGTERM
USER 10001:10001
ENTRYPOINT ["ocpp-bridge"]
