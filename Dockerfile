# syntax=docker/dockerfile:1
#
# Tokencast server image: the TypeScript sources run directly with tsx (as `pnpm start` does),
# next to the prebuilt web client. Build from the repository root:
#
#   docker build -t tokencast .
#   docker run --rm -p 3000:3000 tokencast          # built-in demo model, rooms in memory
#
# See docs/deploy.md for the compose stack (two replicas behind nginx, Redis, LocalAI).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------- base: Node 20 + pnpm (the version pinned by package.json "packageManager") ----------
FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0 \
    CI=true
RUN corepack enable
WORKDIR /app
# Every workspace manifest and the lockfile: enough for a frozen install of any subset.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
COPY packages/client/package.json packages/client/
COPY tests/package.json tests/
COPY bench/package.json bench/
# Fetch that pnpm once, here, for both install stages.
RUN corepack install

# ---------- build: the client and its dependencies, then `pnpm build` (protocol, sdk, client dist/) ----------
FROM base AS build
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --filter "@tokencast/client..."
COPY tsconfig.base.json ./
COPY packages/protocol packages/protocol
COPY packages/sdk packages/sdk
COPY packages/client packages/client
RUN pnpm build

# ---------- prod-deps: only the server's production dependencies (tsx included) ----------
FROM base AS prod-deps
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --filter "@tokencast/server..."

# ---------- runtime ----------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
# pnpm's layout: packages/*/node_modules are symlinks into node_modules/.pnpm (copied as symlinks).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/packages/protocol/node_modules ./packages/protocol/node_modules
COPY --from=prod-deps /app/packages/sdk/node_modules ./packages/sdk/node_modules
COPY --from=prod-deps /app/packages/server/node_modules ./packages/server/node_modules
COPY package.json pnpm-workspace.yaml tsconfig.base.json ./
COPY packages/protocol/package.json packages/protocol/tsconfig.json packages/protocol/
COPY packages/protocol/src packages/protocol/src
COPY packages/sdk/package.json packages/sdk/tsconfig.json packages/sdk/
COPY packages/sdk/src packages/sdk/src
COPY packages/server/package.json packages/server/tsconfig.json packages/server/
COPY packages/server/src packages/server/src
# The built web client, where the server looks for it by default (CLIENT_DIR).
COPY --from=build /app/packages/client/dist packages/client/dist

# Everything above is root-owned and read-only to the server; tsx caches in /tmp.
USER node
WORKDIR /app/packages/server
EXPOSE 3000
# No curl in the slim image: Node's fetch asks /healthz.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 here (use `init: true` in compose to reap zombies); the server drains on SIGTERM
# within SHUTDOWN_GRACE_MS, so give `docker stop` (stop_grace_period) more than that.
CMD ["node", "--import", "tsx", "src/main.ts"]
