# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run as a non-root user with production ones only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json buf.yaml buf.gen.yaml ./
COPY scripts/build-dist.js scripts/swc-options.js ./scripts/
COPY proto ./proto
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    GRPC_PORT=50051 \
    HTTP_PORT=8083 \
    DATA_DIR=/var/lib/taishang/data \
    MODEL_CACHE_DIR=/var/lib/taishang/models
RUN mkdir -p /var/lib/taishang/data /var/lib/taishang/models && chown -R node:node /var/lib/taishang
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/src/gen/descriptor-set.binpb ./src/gen/descriptor-set.binpb
USER node
VOLUME ["/var/lib/taishang/data", "/var/lib/taishang/models"]
EXPOSE 50051 8083
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8083)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec form: node is PID 1's child-free target and receives SIGTERM for a graceful drain
CMD ["node", "dist/main.js"]
