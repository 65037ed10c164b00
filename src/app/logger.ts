import pino, { type Logger } from 'pino';
import type { Config } from '../config/config';

/**
 * JSON logs on stdout (the service), or on stderr (`fd` 2: the migrate command, whose stdout is its
 * report); credentials are redacted wherever they might appear.
 *
 * The service writes through an asynchronous buffer: a synchronous write(2) per call line was the
 * largest cost of a small gRPC call that is ours (about 40 µs of some 600 µs in a profile of
 * HasCollection). Lines are written once 8 KiB have gathered, or every 250 ms: a write per line or
 * two, which is what an empty minimum gives under load, cost about 30 µs of CPU per call line in
 * bench:overhead (mostly the thread pool's write(2)s), gathered writes about 4. pino flushes the
 * buffer when the process exits, signals included; should stdout stall so that more than 16 MiB
 * of lines wait, newer lines are dropped rather than memory growing.
 * The migrate command keeps synchronous stderr: few lines, and they must precede its report.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 = 1): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'taishang-ai' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'metadata.authorization', '*.api_key', '*.apiKey'],
      censor: '[redacted]',
    },
  };
  return fd === 1
    ? pino(options, pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024, minLength: 8192, periodicFlush: 250 }))
    : pino(options, pino.destination({ fd, sync: true }));
}
