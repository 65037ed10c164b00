import type { ModelService, VectorService } from '../domain';

/**
 * Whether the service can do its job: the vector engine answers, the default models that are
 * still registered and enabled are loaded, and shutdown has not begun.
 * Both doors read it (gRPC health, /readyz). Engine checks are cached briefly so probes stay cheap.
 */
export class Readiness {
  private draining = false;
  private cached: { at: number; ready: boolean } | null = null;

  constructor(
    private readonly vectors: VectorService,
    private readonly models: ModelService,
    private readonly defaultModels: readonly string[],
    private readonly cacheMs = 500,
  ) {}

  async isReady(): Promise<boolean> {
    if (this.draining) return false;
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.ready;
    const engine = this.vectors.health({ signal: AbortSignal.timeout(2000) }).then(
      (h) => h.healthy,
      () => false,
    );
    // Defaults an operator unregistered or disabled no longer gate readiness.
    const wanted = new Set(this.defaultModels);
    const present = this.models.list().filter((m) => m.enabled && wanted.has(m.name)).map((m) => m.name);
    const ready = (await engine) && (await this.models.ready(present));
    this.cached = { at: now, ready };
    return ready;
  }

  /** Shutdown has begun: report not ready so load balancers stop sending traffic. */
  beginDraining(): void {
    this.draining = true;
  }
}
