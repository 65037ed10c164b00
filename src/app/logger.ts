import pino, { type Logger } from 'pino';
import type { Config } from '../config/config';

/** JSON logs on stdout; credentials are redacted wherever they might appear. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'taishang-ai' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'metadata.authorization', '*.api_key', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
