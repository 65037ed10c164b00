import { execFile } from 'node:child_process';
import { connect, type Connection } from '@lancedb/lancedb';
import { Schema } from 'apache-arrow';
import { baseSchema, buildRows, typedField } from '../../src/adapters/vector/lance/lance-arrow-rows';
import { leafColumns, typedColumnName } from '../../src/adapters/vector/lance/lance-metadata-columns';
import type { WriteRecord } from '../../src/domain';
import { cpuBetween, processCpuSeconds, sampleCpu } from './cpu-meter';
import { idOf, metadataOf } from './grpc-door';
import { openRawInsert } from './raw-insert';
import { percentile } from './measure';

/** One side's window: `count` vectors in batches, the clock from the first call to the last answer. */
export interface IngestWindow {
  side: string;
  vectors: number;
  seconds: number;
  vectorsPerSecond: number;
  /** Per call (service) or per `table.add` with its Arrow building (direct). */
  p50Ms: number;
  p99Ms: number;
  /** CPU per batch: this process (client, or LanceDB called directly) and the service process. */
  benchCpuMsPerBatch: number;
  serviceCpuMsPerBatch: number;
}

/** Writes a window's batches into a fresh collection or table named after the round. */
export type IngestSide = (round: number) => Promise<IngestWindow>;

/**
 * gRPC Insert into the real service, `inFlight` calls at a time, each request encoded when it is
 * sent as a fast client encodes it (raw-insert.ts).
 */
export function serviceSide(opts: {
  name: string;
  address: string;
  servicePid: number;
  vectors: readonly Float32Array[];
  batch: number;
  inFlight: number;
  createCollection: (name: string) => Promise<void>;
  dropCollection: (name: string) => Promise<void>;
}): { side: IngestSide; close(): void } {
  const raw = openRawInsert(opts.address);
  const side: IngestSide = async (round) => {
    const collection = `ingest_${opts.name.replace(/\W/g, '_')}_${round < 0 ? 'warm' : round}`;
    await opts.createCollection(collection);
    try {
      const latencies: number[] = [];
      const batches = Math.ceil(opts.vectors.length / opts.batch);
      let next = 0;
      const cpu0 = sampleCpu(opts.servicePid);
      const started = performance.now();
      const worker = async (): Promise<void> => {
        for (let b = next++; b < batches; b = next++) {
          const from = b * opts.batch;
          const slice = opts.vectors.slice(from, from + opts.batch);
          const t = performance.now();
          const ids = await raw.insert(collection, slice.map((_, i) => idOf(from + i)), slice, slice.map((_, i) => metadataOf(from + i)));
          latencies.push(performance.now() - t);
          if (ids.length !== slice.length) throw new Error(`insert at ${from} stored ${ids.length} of ${slice.length}`);
        }
      };
      await Promise.all(Array.from({ length: opts.inFlight }, worker));
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuBetween(cpu0, sampleCpu(opts.servicePid));
      return windowOf(opts.name, opts.vectors.length, seconds, latencies, (cpu.bench * 1000) / batches, (cpu.service * 1000) / batches);
    } finally {
      await opts.dropCollection(collection);
    }
  };
  return { side, close: () => raw.close() };
}

/**
 * gRPC Insert sent by this repository's Go client (clients/go, the client the Go backend uses),
 * run as its own process (`bench-insert`, built by scripts/build-bench-insert.sh): the same
 * batches, ids and metadata as `serviceSide`, `inFlight` calls at a time. Its CPU is the Go
 * process's own (rusage), reported as the bench column.
 */
export function goServiceSide(opts: {
  name: string;
  binary: string;
  vectorsFile: string;
  address: string;
  servicePid: number;
  count: number;
  dim: number;
  batch: number;
  inFlight: number;
  createCollection: (name: string) => Promise<void>;
  dropCollection: (name: string) => Promise<void>;
}): IngestSide {
  return async (round) => {
    const collection = `ingest_${opts.name.replace(/\W/g, '_')}_${round < 0 ? 'warm' : round}`;
    await opts.createCollection(collection);
    try {
      const service0 = processCpuSeconds(opts.servicePid);
      const args = ['-addr', opts.address, '-collection', collection, '-vectors', opts.vectorsFile, '-dim', String(opts.dim), '-batch', String(opts.batch), '-inflight', String(opts.inFlight)];
      const out = await new Promise<string>((resolve, reject) =>
        execFile(opts.binary, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${opts.binary}: ${stderr || error.message}`)) : resolve(stdout))),
      );
      const service = processCpuSeconds(opts.servicePid) - service0;
      const report = JSON.parse(out) as { vectors: number; seconds: number; latencyMs: number[]; cpuSeconds: number };
      if (report.vectors !== opts.count) throw new Error(`${opts.name}: sent ${report.vectors} of ${opts.count} vectors`);
      const batches = report.latencyMs.length;
      return windowOf(opts.name, report.vectors, report.seconds, report.latencyMs, (report.cpuSeconds * 1000) / batches, (service * 1000) / batches);
    } finally {
      await opts.dropCollection(collection);
    }
  };
}

/**
 * LanceDB's `table.add` in this process into a fresh table, `inFlight` adds at a time (1: one
 * batch after another, the baseline; more: concurrent appends, which LanceDB commits side
 * by side, so the service's N-in-flight sides have a direct side with the same concurrency),
 * each batch built into Arrow the way the service builds its rows (buildRows, so both sides pay
 * the same for that step). `columns`: 'plain' is the baseline (id, vector, metadata
 * JSON); 'service' adds the columns the service stores besides (text, null here, and the typed
 * metadata column its filters use), the same rows as the service writes.
 */
export function directSide(opts: { name: string; dir: string; vectors: readonly Float32Array[]; batch: number; columns: 'plain' | 'service'; inFlight?: number }): { side: IngestSide; close(): void } {
  const dim = opts.vectors[0]!.length;
  const seq = typedColumnName(['seq'], 'number');
  const schema =
    opts.columns === 'plain'
      ? new Schema(baseSchema(dim).fields.filter((f) => f.name !== 'text'))
      : new Schema([...baseSchema(dim).fields, typedField(seq)]);
  let db: Connection | undefined;
  const side: IngestSide = async (round) => {
    db ??= await connect(opts.dir);
    const name = `ingest_${opts.name.replace(/\W/g, '_')}_${round < 0 ? 'warm' : round}`;
    const table = await db.createEmptyTable(name, schema);
    try {
      const latencies: number[] = [];
      const batches = Math.ceil(opts.vectors.length / opts.batch);
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let b = next++; b < batches; b = next++) {
          const from = b * opts.batch;
          const t = performance.now();
          const records: WriteRecord[] = opts.vectors.slice(from, from + opts.batch).map((vector, i) => ({ id: idOf(from + i), vector, metadata: metadataOf(from + i) }));
          const leaves = opts.columns === 'plain' ? new Map() : leafColumns(records.map((r) => r.metadata));
          await table.add(buildRows(schema, records, leaves));
          latencies.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: opts.inFlight ?? 1 }, worker));
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if ((await table.countRows()) !== opts.vectors.length) throw new Error(`${opts.name}: the table lost rows`);
      return windowOf(opts.name, opts.vectors.length, seconds, latencies, (cpu.user + cpu.system) / 1000 / batches, 0);
    } finally {
      table.close();
      await db.dropTable(name);
    }
  };
  return { side, close: () => db?.close() };
}

function windowOf(side: string, vectors: number, seconds: number, latencies: number[], benchCpuMsPerBatch: number, serviceCpuMsPerBatch: number): IngestWindow {
  const sorted = latencies.sort((a, b) => a - b);
  return { side, vectors, seconds, vectorsPerSecond: vectors / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), benchCpuMsPerBatch, serviceCpuMsPerBatch };
}
