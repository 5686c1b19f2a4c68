# syntax=docker/dockerfile:1
# The ocpp-bridge image: the project installed into a slim Python, run as a non-root user.
#   docker build -t <registry>/ocpp-bridge:0.1.0 .
# The Helm chart (charts/ocpp-bridge) runs it with every setting in BRIDGE_* environment variables.

ARG PYTHON_VERSION=3.11

# Build the project's wheel (the bridge package with its mapping tables).
FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Runtime: the wheel and its dependencies, nothing else.
FROM python:${PYTHON_VERSION}-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 bridge \
 && useradd --system --uid 10001 --gid bridge --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bridge
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
# Stations (settings.port), then /healthz, /readyz and /metrics (settings.adminPort).
EXPOSE 9100 9101
USER 10001:10001
ENTRYPOINT ["ocpp-bridge"]
