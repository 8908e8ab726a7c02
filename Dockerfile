# One image for every alert-relay app; docker-compose picks the app with `command`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# The build's last step copies what tsc does not emit (templates, the /ui page) into dist/.
COPY scripts/copy-assets.js ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
# The image's own unprivileged user; nothing in /app is writable by it.
USER node
EXPOSE 8080
# Exec form: node itself receives SIGTERM (no shell in between), and the app's shutdown hooks
# let workers finish or release their in-flight jobs before it exits.
CMD ["node", "dist/apps/ingest/src/main.js"]
