import { HealthState } from 'nice-grpc-server-health';
import type { Logger } from 'pino';

/** What `grpc.health.v1` follows: true while the service can do its job (engine up, not draining). */
export interface Readiness {
  isReady(): Promise<boolean>;
}

export interface HealthWatcherOptions {
  readiness: Readiness;
  /** Fully-qualified service names reported alongside the server-wide status (""). */
  services: readonly string[];
  logger: Logger;
  intervalMs?: number;
}

/** Polls readiness and mirrors it into a nice-grpc HealthState, which drives Check and Watch. */
export interface HealthWatcher {
  readonly state: HealthState;
  /** Stops polling and reports NOT_SERVING from then on; idempotent. */
  stop(): void;
}

/**
 * Starts polling at once (first answer within one round trip of the readiness check), then every
 * `intervalMs`. Until the first answer everything is NOT_SERVING: a probe must not route traffic
 * to a store nobody has checked. A check that throws, or hangs past three intervals, counts as not ready.
 */
export function startHealthWatcher(options: HealthWatcherOptions): HealthWatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const names = ['', ...options.services];
  const state = HealthState();
  let stopped = false;
  let pendingSince: number | null = null;

  const report = (ready: boolean): void => {
    if (stopped && ready) return;
    const status = ready ? 'healthy' : 'unhealthy';
    if (state.getStatus('') !== status) options.logger.info({ serving: ready }, 'grpc health changed');
    for (const name of names) state.setStatus(status, name);
  };

  const poll = (): void => {
    if (pendingSince !== null) {
      if (Date.now() - pendingSince > 3 * intervalMs) report(false);
      return;
    }
    pendingSince = Date.now();
    options.readiness.isReady().then(
      (ready) => report(ready),
      (error: unknown) => {
        options.logger.warn({ err: error }, 'readiness check failed');
        report(false);
      },
    ).finally(() => {
      pendingSince = null;
    });
  };

  for (const name of names) state.setStatus('unhealthy', name);
  poll();
  // unref: a forgotten watcher must never keep the process alive.
  const timer = setInterval(poll, intervalMs).unref();

  return {
    state,
    stop() {
      if (stopped) return;
      report(false);
      stopped = true;
      clearInterval(timer);
    },
  };
}
