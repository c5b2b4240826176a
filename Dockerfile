# Production image: Node 24 LTS runs the TypeScript sources directly (type stripping), so there is no build step,
# and no development dependency is installed.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY src ./src
COPY views ./views
COPY config ./config
# The operator scripts (keys, indexes, directory seeding) run from the image too: docker compose run broker-1 node scripts/...
COPY scripts ./scripts
# A directory the unprivileged user owns, for a key volume mounted there (a fresh named volume takes its owner).
RUN mkdir -p /app/keys && chown node:node /app/keys
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "src/main.ts"]
