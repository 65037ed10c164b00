import { buildMigration } from './app/build-migration';
import { createLogger } from './app/logger';
import { MIGRATE_USAGE, UsageError, parseMigrateArgs, type MigrateArgs } from './cli/migrate-args';
import { EXIT, runMigration } from './cli/run-migration';
import { ConfigError, loadConfig } from './config/config';

/**
 * `npm run migrate -- --from lance --to milvus [--collections a,b]`: moves collections between
 * engines (README "Moving from the embedded store to Milvus"). Reads the same settings as the
 * service (src/config, once); the report goes to stdout, logs to stderr.
 */
async function main(): Promise<number> {
  let args: MigrateArgs;
  try {
    args = parseMigrateArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`migrate: ${e.message}\n\n${MIGRATE_USAGE}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    process.stdout.write(`${MIGRATE_USAGE}\n`);
    return EXIT.ok;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`migrate: ${e.message}\n`);
    return EXIT.usage;
  }
  const logger = createLogger(config, 2);
  const settings = { sample: args.sample, seed: args.seed, replace: args.replace };
  const migration = await buildMigration(config, logger, args.from, args.to, settings);
  // SIGINT/SIGTERM cancel the import under way, which drops its staging collection before exiting.
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    return await runMigration(migration.migrator, args, migration.endpoints, (line) => process.stdout.write(`${line}\n`), controller.signal);
  } finally {
    await migration.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`migrate failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
