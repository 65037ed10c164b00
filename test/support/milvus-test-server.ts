import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp-dirs';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'milvus-server.sh');

/**
 * A real Milvus 2.3 standalone (scripts/milvus-server.sh) in a temp dir, on a free loopback port.
 * Each test file that needs one starts its own in beforeAll and stops it in afterAll; the script
 * also stops it if this process dies first.
 */
export interface MilvusTestServer {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server; `crash` kills it at once instead of shutting it down. Data stays. */
  stop(crash?: boolean): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it (its data dir goes when the test file ends). */
  dispose(): Promise<void>;
}

/** Installed by the external tier's setup (scripts/setup.sh milvus); a start takes seconds (the script waits ≤ 120 s). */
export async function startMilvusTestServer(): Promise<MilvusTestServer> {
  const dataDir = await tempDir('milvus');
  const port = await freePort();
  const start = (): Promise<unknown> => run('bash', [SCRIPT, 'start', dataDir, String(port), String(process.pid)], { timeout: 180_000 });
  const stop = (crash = false): Promise<unknown> => run('bash', [SCRIPT, 'stop', dataDir, ...(crash ? ['--kill'] : [])], { timeout: 60_000 });
  await start();
  return {
    address: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dataDir,
    async stop(crash = false) {
      await stop(crash);
    },
    async restart() {
      await start();
    },
    async dispose() {
      await stop().catch(() => undefined);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
