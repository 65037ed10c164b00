/**
 * onnxruntime session options for every transformers model this provider loads.
 *
 * Intra-op threads do not spin. By default a session of more than one intra-op thread keeps its
 * pool threads busy-waiting for the next parallel section, which on a machine whose cores are
 * shared (the service's event loop, the other embedding thread, LanceDB, a neighbour) burns a
 * core's worth of CPU that the others wait for. `npm run bench:onnx-spinning` (BENCHMARKS.md,
 * "onnxruntime thread spinning"): with a busy neighbour, two intra-op threads without spinning
 * embed the same texts with a fifth less CPU, 1.2× as fast; on an idle machine the two stay within
 * the bench's round-to-round spread.
 * A single-threaded session has no pool, so the option changes nothing there (the default
 * EMBEDDING_THREADS=2 on 2 cores); it matters for EMBEDDING_THREADS=1 and cross-encoders, whose
 * sessions take onnxruntime's default of one intra-op thread per core.
 *
 * `extra` entries are onnxruntime session config keys (onnxruntime_session_options_config_keys.h),
 * passed through by onnxruntime-node as strings.
 */
export const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } } as const;

/** Session options with `intraOpThreads` threads per run (onnxruntime's default when absent). */
export function onnxSessionOptions(intraOpThreads?: number): { intraOpNumThreads?: number; interOpNumThreads: number; extra: typeof NO_SPINNING } {
  return { ...(intraOpThreads === undefined ? {} : { intraOpNumThreads: intraOpThreads }), interOpNumThreads: 1, extra: NO_SPINNING };
}
