import { parentPort, workerData } from 'node:worker_threads';
import { embedTexts, windowOf } from './embed-texts';
import { toThreadError, type EmbeddingThreadLoad, type FromThread, type ToThread } from './embedding-thread-messages';
import { onnxSessionOptions } from './onnx-session-options';
import { loadSdk, type FeatureExtractionPipeline } from './transformers-sdk';

/**
 * An embedding thread (embedding-thread.ts says why it exists): loads one feature-extraction
 * pipeline and embeds the batches the main thread posts, one at a time in arrival order, with the
 * same code as in-process embedding (embed-texts.ts). A 'cancel' message aborts its batch between
 * model runs: embedTexts turns the event loop before each run, which delivers the message.
 */
const port = parentPort;
if (port === null) throw new Error('embedding-thread-main runs as a worker thread');
const load = workerData as EmbeddingThreadLoad;
const post = (message: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const cancels = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

async function loadPipeline(): Promise<FeatureExtractionPipeline> {
  const { env, pipeline } = await loadSdk();
  env.localModelPath = load.cacheDir;
  env.cacheDir = load.cacheDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = load.allowRemote;
  return (await pipeline('feature-extraction', load.modelId, {
    dtype: load.dtype as never,
    cache_dir: load.cacheDir,
    local_files_only: !load.allowRemote,
    session_options: onnxSessionOptions(load.intraOpThreads),
  })) as FeatureExtractionPipeline;
}

async function embed(pipe: FeatureExtractionPipeline, id: number, texts: string[], window: number): Promise<void> {
  const controller = cancels.get(id);
  try {
    if (controller === undefined || controller.signal.aborted) throw new Error('cancelled before it started');
    const result = await embedTexts(pipe, texts, window, {
      signal: controller.signal,
      onChunk: (chunk, chunks, start, end) => post({ type: 'chunk', id, chunk, chunks, start, end }),
    });
    // One buffer for all rows, handed over rather than copied.
    const vectors = new Float32Array(result.vectors.length * result.dimension);
    result.vectors.forEach((v, r) => vectors.set(v, r * result.dimension));
    post(
      { type: 'done', id, vectors, rows: result.vectors.length, dimension: result.dimension, truncated: result.truncated, tokenCounts: result.tokenCounts ?? [] },
      [vectors.buffer as ArrayBuffer],
    );
  } catch (cause) {
    post({ type: 'failed', id, error: toThreadError(cause), cancelled: controller?.signal.aborted ?? true });
  } finally {
    cancels.delete(id);
  }
}

async function main(): Promise<void> {
  let pipe: FeatureExtractionPipeline;
  try {
    pipe = await loadPipeline();
  } catch (cause) {
    post({ type: 'load-failed', error: toThreadError(cause) });
    return;
  }
  port!.on('message', (message: ToThread) => {
    if (message.type === 'embed') {
      cancels.set(message.id, new AbortController());
      queue = queue.then(() => embed(pipe, message.id, message.texts, message.window));
    } else if (message.type === 'cancel') {
      cancels.get(message.id)?.abort();
    } else {
      queue = queue.then(async () => {
        await pipe.dispose();
        post({ type: 'disposed' });
        port!.close();
      });
    }
  });
  post({ type: 'ready', window: windowOf(pipe) });
}

void main();
