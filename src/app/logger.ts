import pino, { type Logger } from 'pino';
import type { Config } from '../config/config';

/**
 * JSON logs on stdout (the service), or on stderr (`fd` 2: the migrate command, whose stdout is its
 * report); credentials are redacted wherever they might appear.
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
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}
