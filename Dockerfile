# Production image. Node 24 LTS runs the TypeScript sources directly (type stripping), so there is no build step, and
# no development dependency is installed. The base image is a full version; `bash scripts/pin-base-image.sh` adds
# the digest that version's tag points at (tag@sha256:…), so that a rebuild gets the same base until the pin moves.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# The production dependencies, exactly as package-lock.json pins them, in a stage of their own: npm's cache and the
# lockfile stay behind. No install scripts: none of the runtime dependencies needs one (msgpackr-extract's native
# part arrives prebuilt as an optional package, and msgpackr works without it).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
# The root filesystem can be read-only (docker run --read-only, compose read_only): the broker writes nothing but its
# logs to stdout. /tmp is the one writable place it wants, as a tmpfs: V8's compile cache (a health check or an
# operator script starts faster; Node.js carries on without it when /tmp is not writable) and the demo's admin socket.
ENV NODE_ENV=production \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# What `node src/main.ts` reads at run time (test/operations/production-install.test.ts runs a copy of exactly these
# from a production install), and the operator scripts: docker compose run broker-1 node scripts/…
COPY package.json ./
COPY src ./src
COPY views ./views
COPY config ./config
COPY scripts ./scripts
# A directory the unprivileged user owns, for a key volume mounted there (a fresh named volume takes its owner).
RUN mkdir -p /app/keys && chown node:node /app/keys
USER node
EXPOSE 3000
# Liveness with what the slim image has (no curl): Node's own fetch. /healthz stays 200 while a node drains on SIGTERM;
# point a load balancer's readiness check at /readyz instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "src/main.ts"]
