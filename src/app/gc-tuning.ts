import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by the service's entry point, before anything allocates much: turns off V8's
 * allocation-site pretenuring. Under a steady stream of small gRPC calls V8 would, in some runs and
 * not others, decide that a per-call allocation site lives long and allocate its objects straight
 * into the old generation; in those runs young-generation GCs promoted about 3 MiB each instead of
 * 260 KiB, GC pauses tripled and HasCollection answered 15 % fewer calls per second (ghz, 40,000
 * calls, three runs each way; BENCHMARKS.md, per-call overhead). With it off every run behaved
 * like the good ones; a bare grpc-js server measured the same with and without it.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
