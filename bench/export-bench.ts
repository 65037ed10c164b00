// bench:export — a snapshot export of EXPORT_RECORDS × 384 (default 1,000,000) from an embedded
// LanceDB store, through SnapshotService (scan pages → Arrow chunks → framed, hashed bytes) into a
// byte-counting sink, sampling RSS every 50 ms. Bounded memory means the growth over the RSS before
// the export does not follow the record count (try EXPORT_RECORDS=100000 and 300000). The direct
// side pages the same store's keyset scan without encoding or hashing: what the export adds over
// reading. Sides alternate which runs first (EXPORT_ROUNDS rounds, default 2).
//   EXPORT_RECORDS=n   EXPORT_ROUNDS=r   EXPORT_DIR=path (keep the filled store there and reuse it)
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrowRecordChunkCodec } from '../src/adapters/snapshot';
import { LanceVectorStore } from '../src/adapters/vector/lance';
import { SnapshotService, type VectorRecord } from '../src/domain';
import { machineInfo, saveNamedReport } from './lib/report';
import { loadavg } from 'node:os';

const DIM = 384;
const RECORDS = Number(process.env.EXPORT_RECORDS ?? 1_000_000);
const ROUNDS = Number(process.env.EXPORT_ROUNDS ?? 2);
const NAME = 'export_bench';
const ROOT = join(__dirname, '..');

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function recordOf(i: number, s: { v: number }): VectorRecord {
  const vector = new Array<number>(DIM);
  for (let k = 0; k < DIM; k++) {
    s.v = (Math.imul(s.v, 1664525) + 1013904223) >>> 0;
    vector[k] = Math.fround(s.v / 2 ** 32 - 0.5);
  }
  return { id: `doc-${String(i).padStart(8, '0')}`, vector, metadata: { i, group: `g${i % 17}` }, text: undefined };
}

interface Side {
  side: 'export' | 'direct-scan';
  round: number;
  records: number;
  bytes: number;
  seconds: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssGrowthMiB: number;
}

/** Runs `work` while sampling RSS; growth is the peak over the RSS just before. */
async function measured(side: Side['side'], round: number, work: () => Promise<{ records: number; bytes: number }>): Promise<Side> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const started = process.hrtime.bigint();
  const { records, bytes } = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { side, round, records, bytes, seconds: Math.round(seconds * 100) / 100, rssBeforeMiB: mib(before), rssPeakMiB: mib(peak), rssGrowthMiB: mib(peak - before) };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const load = loadavg()[0]!;
  const dir = process.env.EXPORT_DIR ?? mkdtempSync(join(tmpdir(), 'export-bench-'));
  const reuse = process.env.EXPORT_DIR !== undefined && existsSync(join(dir, 'catalog'));
  const store = await LanceVectorStore.open({ dataDir: dir });
  try {
    if (!reuse || !(await store.hasCollection(NAME))) {
      await store.createCollection({ name: NAME, description: 'bench', dimension: DIM, metricType: 'COSINE', index: null, embedding: null });
      const s = { v: 12345 };
      const fillStart = Date.now();
      for (let at = 0; at < RECORDS; at += 10_000) {
        const batch = Array.from({ length: Math.min(10_000, RECORDS - at) }, (_, j) => recordOf(at + j, s));
        await store.insert(NAME, () => batch);
        if ((at / 10_000) % 10 === 9) console.log(`filled ${at + 10_000} records (${Math.round((Date.now() - fillStart) / 1000)} s, rss ${mib(process.memoryUsage.rss())} MiB)`);
      }
      await store.compact(NAME);
    }
    const count = await store.count(NAME, null);
    const snapshots = new SnapshotService(store, new ArrowRecordChunkCodec());

    const exportSide = () =>
      measured('export', 0, async () => {
        let bytes = 0;
        for await (const piece of await snapshots.exportCollection(NAME)) bytes += piece.length;
        return { records: count, bytes };
      });
    const directSide = () =>
      measured('direct-scan', 0, async () => {
        let afterId: string | null = null;
        let records = 0;
        let bytes = 0;
        for (;;) {
          const page = await store.scan(NAME, () => ({ filter: null, afterId, limit: 500, includeVector: true }));
          records += page.length;
          bytes += page.length * DIM * 4;
          if (page.length < 500) return { records, bytes };
          afterId = page[page.length - 1]!.id;
        }
      });

    const rows: Side[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [exportSide, directSide] : [directSide, exportSide];
      for (const run of order) rows.push({ ...(await run()), round });
    }

    console.log(`\nbench:export — ${count} records × ${DIM} in LanceDB (${dir}); load at start ${load.toFixed(2)}`);
    console.log('side         round  records    file MiB   seconds  records/s  RSS before  RSS peak  growth (MiB)');
    for (const r of rows) {
      console.log(
        `${r.side.padEnd(12)} ${String(r.round).padStart(5)}  ${String(r.records).padStart(8)}  ${String(mib(r.bytes)).padStart(9)}  ${String(r.seconds).padStart(8)}  ${String(Math.round(r.records / r.seconds)).padStart(9)}  ${String(r.rssBeforeMiB).padStart(10)}  ${String(r.rssPeakMiB).padStart(8)}  ${String(r.rssGrowthMiB).padStart(12)}`,
      );
    }
    const best = (side: Side['side']) => Math.min(...rows.filter((r) => r.side === side).map((r) => r.seconds));
    const ratio = Math.round((best('export') / best('direct-scan')) * 100) / 100;
    console.log(`export / direct scan (best of each): ${ratio}x the time; largest RSS growth during an export: ${Math.max(...rows.filter((r) => r.side === 'export').map((r) => r.rssGrowthMiB))} MiB`);
    const file = await saveNamedReport(join(ROOT, 'bench', 'results'), 'export', startedAt, { startedAt: startedAt.toISOString(), machine: machineInfo(ROOT, load), records: count, dimension: DIM, rows, ratio });
    console.log(`saved ${file}`);
  } finally {
    await store.close();
    if (process.env.EXPORT_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
