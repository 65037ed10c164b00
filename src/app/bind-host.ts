import type { Logger } from 'pino';
import type { Config } from '../config/config';

const LOOPBACK = '127.0.0.1';

/** HOST values that already reach this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Secure by default: with no API keys, both doors bind loopback only unless ALLOW_UNAUTHENTICATED
 * says the open service is meant. Every choice is logged at start-up, so an operator sees why the
 * service is (not) reachable.
 */
export function bindHost(config: Pick<Config, 'host' | 'apiKeys' | 'allowUnauthenticated'>, logger: Logger): string {
  if (config.apiKeys.length > 0) {
    if (config.allowUnauthenticated) logger.info('API keys are configured: ALLOW_UNAUTHENTICATED is ignored');
    return config.host;
  }
  if (isLoopback(config.host)) {
    logger.warn({ host: config.host }, 'no API keys: every call is allowed (loopback only)');
    return config.host;
  }
  if (config.allowUnauthenticated) {
    logger.warn({ host: config.host }, 'no API keys and ALLOW_UNAUTHENTICATED=true: the service is open to anyone who can reach it');
    return config.host;
  }
  logger.warn(
    { host: LOOPBACK, configuredHost: config.host },
    `no API keys: listening on ${LOOPBACK} only instead of ${config.host}; set API_KEYS (or API_KEYS_FILE) or ALLOW_UNAUTHENTICATED=true`,
  );
  return LOOPBACK;
}
