import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
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

/**
 * A Milvus database for one test file: on the server the external tier shares (MILVUS_TEST_ADDRESS,
 * host:port) when there is one, else on a server of the file's own. `release` leaves a shared server
 * as it found it (the database's aliases, collections and the database itself dropped), or stops
 * the file's own. Files that stop or kill Milvus use startMilvusTestServer instead.
 */
export interface MilvusDatabase {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Unique per file and run (`PREFIX_PID_TIME`), so files sharing a server never meet. */
  readonly database: string;
  release(): Promise<void>;
}

export async function milvusDatabase(prefix: string): Promise<MilvusDatabase> {
  const database = `${prefix}_${process.pid}_${Date.now()}`;
  const shared = process.env.MILVUS_TEST_ADDRESS;
  const own = shared === undefined || shared === '' ? await startMilvusTestServer() : undefined;
  const address = own?.address ?? shared!;
  const [host, port] = address.split(':');
  return {
    address,
    host: host!,
    port: Number(port),
    database,
    async release() {
      if (own !== undefined) return own.dispose();
      const store = new MilvusVectorStore({ address, database, timeoutMs: 60_000 });
      try {
        // Aliases first: a collection an alias names cannot be dropped.
        for (const { alias } of await store.listAliases(null)) await store.dropAlias(alias);
        for (const name of await store.listCollections()) await store.dropCollection(name);
      } finally {
        await store.close();
      }
      const client = new MilvusClient({ address, telemetry: { enabled: false } });
      await client.dropDatabase({ db_name: database }).finally(() => client.closeConnection());
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
