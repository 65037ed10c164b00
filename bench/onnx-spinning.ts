/**
 * `npm run bench:onnx-spinning`: whether onnxruntime's intra-op threads should spin between
 * parallel sections (its default) or sleep (`session.intra_op.allow_spinning` 0, what the
 * transformers provider sets: src/providers/transformers/onnx-session-options.ts). Loads the
 * default embedding model twice in this process, the same folder and dtype as the provider, with
 * SPIN_INTRA_THREADS (2: one session over both cores, as EMBEDDING_THREADS=1 or a cross-encoder
 * has) intra-op threads, once spinning and once not, and embeds the same texts with each: long
 * texts (256 tokens, batches of 8) and short sentences (batches of 16). Two conditions: an idle
 * machine, and one busy neighbour (a spinning node process, as the service's event loop, the other
 * embedding thread or LanceDB can be). Per round both settings run, in an order that alternates;
 * reported per condition and setting: medians over the rounds of wall time, texts/s, CPU per text
 * (this process, all threads) and p99 per batch. Prints a table and writes
 * bench/results/onnx-spinning-<time>.json and onnx-spinning-latest.json.
 *
 * Settings: SPIN_ROUNDS (4), SPIN_LONG_TEXTS (64), SPIN_SHORT_TEXTS (256), SPIN_INTRA_THREADS (2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { NO_SPINNING } from '../src/providers/transformers/onnx-session-options';
import type { FeatureExtractionPipeline } from '../src/providers/transformers/transformers-sdk';
import { intEnv } from './lib/env-settings';
import { loadLocalPipeline } from './lib/models-direct-embed';
import { benchSentences } from './lib/models-sentences';
import { median, percentile, table } from './lib/measure';
import { machineInfo, saveNamedReport } from './lib/report';

const REPO_ROOT = resolve(__dirname, '..');
const MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const ROUNDS = intEnv('SPIN_ROUNDS', 4);
const LONG_TEXTS = intEnv('SPIN_LONG_TEXTS', 64);
const SHORT_TEXTS = intEnv('SPIN_SHORT_TEXTS', 256);
const INTRA = intEnv('SPIN_INTRA_THREADS', 2);

type Setting = 'spinning' | 'no spinning';
type Condition = 'idle' | 'busy neighbour';

interface Window {
  wallMs: number;
  cpuMs: number;
  texts: number;
  batchMs: number[];
}

/** The texts of one window, in batches: long ones fill the model's 256-token window. */
function workload(): string[][] {
  const batches: string[][] = [];
  const long = Array.from({ length: LONG_TEXTS }, (_, i) => `text ${i}: ${'word '.repeat(300)}`);
  for (let i = 0; i < long.length; i += 8) batches.push(long.slice(i, i + 8));
  const short = benchSentences(SHORT_TEXTS, 7);
  for (let i = 0; i < short.length; i += 16) batches.push(short.slice(i, i + 16));
  return batches;
}

async function measure(pipe: FeatureExtractionPipeline, batches: string[][]): Promise<Window> {
  const batchMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const batch of batches) {
    const b0 = performance.now();
    await pipe(batch, { pooling: 'mean', normalize: true });
    batchMs.push(performance.now() - b0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, texts: batches.reduce((n, b) => n + b.length, 0), batchMs };
}

/** A node process spinning on one core, which stops by itself after `maxMs` if never killed. */
function busyNeighbour(maxMs: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const pipes: Record<Setting, FeatureExtractionPipeline> = {
    spinning: await loadLocalPipeline(resolve(REPO_ROOT, 'models'), MODEL_ID, { intraOpNumThreads: INTRA, interOpNumThreads: 1 }),
    'no spinning': await loadLocalPipeline(resolve(REPO_ROOT, 'models'), MODEL_ID, { intraOpNumThreads: INTRA, interOpNumThreads: 1, extra: NO_SPINNING }),
  };
  const batches = workload();
  // Warm-up: each session's first runs allocate its arenas.
  for (const pipe of Object.values(pipes)) await measure(pipe, batches.slice(0, 3));

  const windows: Record<Condition, Record<Setting, Window[]>> = {
    idle: { spinning: [], 'no spinning': [] },
    'busy neighbour': { spinning: [], 'no spinning': [] },
  };
  let neighbour: ChildProcess | undefined;
  const stopNeighbour = (): void => void neighbour?.kill('SIGKILL');
  process.on('exit', stopNeighbour);
  for (const condition of Object.keys(windows) as Condition[]) {
    if (condition === 'busy neighbour') neighbour = busyNeighbour(15 * 60_000);
    for (let round = 0; round < ROUNDS; round += 1) {
      const order: Setting[] = round % 2 === 0 ? ['spinning', 'no spinning'] : ['no spinning', 'spinning'];
      for (const setting of order) {
        const w = await measure(pipes[setting], batches);
        windows[condition][setting].push(w);
        log(`${condition}, round ${round + 1}/${ROUNDS}, ${setting}: ${(w.wallMs / 1000).toFixed(2)} s, ${(w.cpuMs / 1000).toFixed(2)} CPU-s`);
      }
    }
    stopNeighbour();
    neighbour = undefined;
  }
  for (const pipe of Object.values(pipes)) await pipe.dispose();

  const rows = (Object.keys(windows) as Condition[]).flatMap((condition) =>
    (['spinning', 'no spinning'] as Setting[]).map((setting) => {
      const ws = windows[condition][setting];
      const texts = ws[0]!.texts;
      const wall = median(ws.map((w) => w.wallMs));
      const cpu = median(ws.map((w) => w.cpuMs));
      const spin = windows[condition].spinning;
      return {
        condition,
        setting,
        'wall s': wall / 1000,
        'texts/s': (texts * 1000) / wall,
        'CPU ms per text': cpu / texts,
        'p99 batch ms': percentile(ws.flatMap((w) => w.batchMs).sort((a, b) => a - b), 99),
        'CPU vs spinning': cpu / median(spin.map((w) => w.cpuMs)),
        'texts/s vs spinning': median(spin.map((w) => w.wallMs)) / wall,
      };
    }),
  );
  console.log(`\nonnxruntime intra-op spinning, ${MODEL_ID}, ${INTRA} intra-op threads, ${LONG_TEXTS} long + ${SHORT_TEXTS} short texts per window, ${ROUNDS} rounds (medians)\n`);
  console.log(table(rows));
  const file = await saveNamedReport(resolve(REPO_ROOT, 'bench', 'results'), 'onnx-spinning', startedAt, {
    startedAt: startedAt.toISOString(),
    machine: machineInfo(REPO_ROOT, loadAtStart),
    loadAtEnd: loadavg()[0],
    settings: { rounds: ROUNDS, longTexts: LONG_TEXTS, shortTexts: SHORT_TEXTS, intraOpThreads: INTRA, modelId: MODEL_ID },
    rows,
    windows,
  });
  console.log(`\nsaved ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
