# syntax=docker/dockerfile:1
# The static web app (frontend/dist, Vite build) served by unprivileged nginx on port 8080.
# Build from the repository root:
#   docker build -f deploy/docker/web.Dockerfile -t fuban/web:0.1.0 .
# The Helm chart mounts its own nginx.conf (which also proxies /api/ to the API Service); the one
# baked in here serves the files alone. Read-only root filesystem: only /tmp is written.
ARG NODE_IMAGE=node:22-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.27-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM ${NGINX_IMAGE}
COPY deploy/docker/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /src/frontend/dist /usr/share/nginx/html
USER 10001:10001
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
