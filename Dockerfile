# The one Dockerfile of our four images, built from the repository root with the service's name and port:
#   docker build --build-arg SERVICE=booking --build-arg SERVICE_DIR=services/booking --build-arg PORT=8002 \
#     -t france-services/booking .
#   (locator 8001, booking 8002, notify 8003 under services/; the gateway: SERVICE_DIR=gateway, PORT=8000)
# Only that service and common/ enter the image (the workspace's pyproject.toml and uv.lock pin them);
# tests, benchmarks and the other services stay out (.dockerignore drops every tests/ folder).
FROM python:3.11-slim AS build
ARG SERVICE
ARG SERVICE_DIR
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_PYTHON=/usr/local/bin/python3.11
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY common common
COPY ${SERVICE_DIR} ${SERVICE_DIR}
RUN uv sync --frozen --no-dev --package fs-${SERVICE}

# The runtime: no uv, no compiler, code owned by root and only readable by the app user, so that the
# container runs with a read-only root filesystem (compose: read_only; Kubernetes:
# readOnlyRootFilesystem). Writable: /tmp and /app/var (keys created on first start, heartbeats).
FROM python:3.11-slim
ARG SERVICE
ARG SERVICE_DIR
ARG PORT
RUN useradd --no-create-home --uid 10001 --user-group app && mkdir -p /app/var && chown 10001:10001 /app/var
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY --from=build /app/common /app/common
COPY --from=build /app/${SERVICE_DIR} /app/${SERVICE_DIR}
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 FS_HEARTBEAT_FILE=/tmp/heartbeat \
    SERVICE=${SERVICE} SERVICE_PORT=${PORT}
USER 10001:10001
WORKDIR /app/${SERVICE_DIR}
EXPOSE ${PORT}
# The API's liveness. The jobs and workers started from the same image with another command (see
# scripts/processes.py, docker-compose.yml and deploy/) serve no HTTP: a worker's health check is its
# heartbeat, "python -m fs_common.heartbeat".
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['SERVICE_PORT'], timeout=2)"
CMD ["sh", "-c", "exec uvicorn \"$SERVICE.main:create_app\" --factory --host 0.0.0.0 --port \"$SERVICE_PORT\""]
