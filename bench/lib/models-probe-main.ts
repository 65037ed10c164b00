import { join } from 'node:path';

/**
 * The service as dist/main.js composes it (same compiled modules, same environment), plus one
 * thing main.js cannot do: on SIGUSR2 it prints the embedding batcher's batch sizes
 * (ModelService.queues()) as one JSON line on stdout. The benchmark uses it to see which
 * micro-batches concurrent callers really form; no other measurement runs against it.
 */
type BuildApp = typeof import('../../src/app/build-app');
type ConfigModule = typeof import('../../src/config/config');
type LoggerModule = typeof import('../../src/app/logger');

const dist = join(__dirname, '..', '..', 'dist');
const { buildApp } = require(join(dist, 'app', 'build-app.js')) as BuildApp;
const { loadConfig } = require(join(dist, 'config', 'config.js')) as ConfigModule;
const { createLogger } = require(join(dist, 'app', 'logger.js')) as LoggerModule;

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config, createLogger(config), { ...process.env });
  await app.listen();
  process.on('SIGUSR2', () => {
    process.stdout.write(`${JSON.stringify({ probe: app.models.queues() })}\n`);
  });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`batch probe failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
