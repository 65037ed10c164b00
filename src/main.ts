// Must stay the first import: V8 flags are read as the heap starts filling (gc-tuning.ts).
import './app/gc-tuning';
import { buildApp } from './app/build-app';
import { createLogger } from './app/logger';
import { ConfigError, loadConfig, type Config } from './config/config';
import { environmentSnapshot } from './config/environment';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config);
  const app = await buildApp(config, logger, environmentSnapshot());
  await app.listen();

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight calls');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  // A file named by the config that cannot be used (TLS_*) is reported like any bad setting.
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`taishang-ai failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
