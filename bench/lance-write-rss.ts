// RSS of N small writes (8 rows of 384-d each) on an embedded Lance table, printed every 1,000
// writes; no service, not part of any test. Found the soak's write-path growth (BENCHMARKS.md "Soak").
//   VARIANT=raw|store   raw: @lancedb/lancedb directly; store: our LanceVectorStore (insert = delete + insert)
//   OPS=mixed|add|merge|delete (raw; mixed = 2 add : 2 mergeInsert : 3 delete)   N=writes
//   OPT_EVERY=k (raw: optimize every k writes)   REOPEN_EVERY=k (raw: reopen the table every k)
//   QUERY=1 (raw: id lookup before each add, like our insert)
//   SESSION=small META_MIB=m (raw: metadata cache of m MiB; `cache=` is this session's size)
//   META_MIB=m INDEX_MIB=m (store: metadata/index cache; `cache=` does not apply)   HOLD=s (raw: stay s seconds at the end)
import { Session, connect, type Table } from '@lancedb/lancedb';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedSizeList, Field, Float32, Schema, Utf8, makeData, vectorFromArray, Table as ArrowTable, RecordBatch, Struct } from 'apache-arrow';
import { LanceVectorStore } from '../src/adapters/vector/lance';

const DIM = 384;
const N = Number(process.env.N ?? 10000);
const VARIANT = process.env.VARIANT ?? 'raw';
const OPS = process.env.OPS ?? 'mixed';
const OPT_EVERY = Number(process.env.OPT_EVERY ?? 0);
const REOPEN_EVERY = Number(process.env.REOPEN_EVERY ?? 0);
const QUERY = process.env.QUERY === '1';
const SLOTS = 2000;
// SESSION=default|small (metadata cache MiB via META_MIB)
const session = process.env.SESSION === 'small' ? new Session(BigInt(1 << 20), BigInt(Number(process.env.META_MIB ?? 1) << 20)) : Session.default();

function rssMiB(): string {
  const st = readFileSync('/proc/self/status', 'utf8');
  const f = (k: string) => (Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)![1]) / 1024).toFixed(0);
  return `${f('VmRSS')} anon=${f('RssAnon')} file=${f('RssFile')} thr=${/Threads:\s+(\d+)/.exec(st)![1]}`;
}

const schema = new Schema([
  new Field('id', new Utf8(), false),
  new Field('vector', new FixedSizeList(DIM, new Field('item', new Float32(), true)), false),
  new Field('metadata', new Utf8(), false),
]);

function rows(ids: string[]): ArrowTable {
  const ids_ = vectorFromArray(ids, new Utf8()).data[0]!;
  const meta = vectorFromArray(ids.map((id) => JSON.stringify({ group: id.length % 8, tag: 'x' })), new Utf8()).data[0]!;
  const floats = new Float32Array(ids.length * DIM).map(() => Math.random());
  const child = makeData({ type: new Float32(), length: floats.length, data: floats });
  const vec = makeData({ type: schema.fields[1]!.type, length: ids.length, nullCount: 0, child });
  const struct = makeData({ type: new Struct(schema.fields), length: ids.length, nullCount: 0, children: [ids_, vec, meta] });
  return new ArrowTable(schema, new RecordBatch(schema, struct));
}

let rng = 12345;
function rand(n: number): number {
  rng = (rng * 1103515245 + 12345) & 0x7fffffff;
  return rng % n;
}
function idsAt(): string[] {
  const base = rand(SLOTS / 8) * 8;
  return Array.from({ length: 8 }, (_, i) => `slot-${base + i}`);
}
function pickOp(i: number): 'add' | 'merge' | 'delete' {
  if (OPS !== 'mixed') return OPS as 'add' | 'merge' | 'delete';
  const r = i % 7;
  return r < 2 ? 'add' : r < 4 ? 'merge' : 'delete';
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lance-rss-'));
  const t0 = Date.now();
  const report = (i: number) => {
    global.gc?.();
    const h = process.memoryUsage();
    console.log(`${i}\tcache=${(Number(session.sizeBytes()) / 2 ** 20).toFixed(1)}MiB/${session.approxNumItems()}\trss=${rssMiB()}\theap=${(h.heapUsed / 2 ** 20).toFixed(0)}\text=${(h.external / 2 ** 20).toFixed(0)}\tab=${(h.arrayBuffers / 2 ** 20).toFixed(0)}\tt=${((Date.now() - t0) / 1000).toFixed(0)}s`);
  };
  try {
    if (VARIANT === 'store') {
      const store = await LanceVectorStore.open({ dataDir: dir, metadataCacheBytes: Number(process.env.META_MIB ?? 64) * 2 ** 20, indexCacheBytes: process.env.INDEX_MIB ? Number(process.env.INDEX_MIB) * 2 ** 20 : undefined });
      await store.createCollection({ name: 'c', dimension: DIM, metricType: 'COSINE', description: '', index: null } as never);
      const rec = (ids: string[]) => ids.map((id) => ({ id, vector: Array.from({ length: DIM }, () => Math.random()), metadata: { group: id.length % 8, tag: 'x' } }));
      // half full, like the soak
      for (let b = 0; b < SLOTS / 2; b += 8) await store.upsert('c', () => rec(Array.from({ length: 8 }, (_, i) => `slot-${b + i}`)));
      report(0);
      for (let i = 1; i <= N; i++) {
        const op = pickOp(i);
        const ids = idsAt();
        if (op === 'add') {
          await store.delete('c', ids);
          await store.insert('c', () => rec(ids));
        } else if (op === 'merge') await store.upsert('c', () => rec(ids));
        else await store.delete('c', ids);
        if (i % 1000 === 0) report(i);
      }
      await store.close();
    } else {
      const db = await connect(dir, { session });
      let table: Table = await db.createTable('t', rows(Array.from({ length: SLOTS / 2 }, (_, i) => `slot-${i}`)));
      report(0);
      for (let i = 1; i <= N; i++) {
        const op = pickOp(i);
        const ids = idsAt();
        const pred = `id IN (${ids.map((x) => `'${x}'`).join(',')})`;
        if (op === 'add') {
          if (QUERY) await table.query().where(pred).select(['id']).toArray();
          await table.add(rows(ids));
        } else if (op === 'merge') await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows(ids));
        else await table.delete(pred);
        if (OPT_EVERY > 0 && i % OPT_EVERY === 0) await table.optimize({ cleanupOlderThan: new Date(Date.now() - 1000) });
        if (REOPEN_EVERY > 0 && i % REOPEN_EVERY === 0) {
          table.close();
          table = await db.openTable('t');
        }
        if (i % 1000 === 0) report(i);
      }
      if (process.env.HOLD) {
        console.log(`pid ${process.pid} holding`);
        await new Promise((r) => setTimeout(r, Number(process.env.HOLD) * 1000));
        report(N);
      }
      table.close();
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
