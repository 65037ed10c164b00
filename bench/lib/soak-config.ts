/**
 * What `npm run soak` runs and what it tolerates. Each setting is an environment variable with a
 * command-line flag of the same meaning (`--minutes 2` = SOAK_MINUTES=2); the flag wins.
 */
export interface SoakConfig {
  /** Length of the load, in whole minutes (one report row each). */
  minutes: number;
  /** Concurrent callers, each running one call at a time. */
  workers: number;
  /** At most this many of the workers generate text at once (generation is the expensive call). */
  generationWorkers: number;
  /** The collection's id range: writes recycle ids inside it, so storage stays bounded. */
  idSlots: number;
  /** Allowed RSS growth from the end of minute 1 to the end: max(this many MiB, rssGrowthPct %). */
  rssGrowthMiB: number;
  rssGrowthPct: number;
  /** Allowed growth of the service's open fds: least count seen in minute 1 to least in the last minute. */
  fdGrowth: number;
  /** Allowed least-squares slope of RSS over the second half of the run, MiB per minute (bench/lib/soak-trend.ts). */
  rssSlopeMiBPerMin: number;
  /** Allowed least-squares slope of the per-minute least open-fd count over the second half, fds per minute. */
  fdSlopePerMin: number;
  /** Base seed of the pseudo-random mix, so two runs send the same sequence of choices. */
  seed: number;
}

const SETTINGS: Record<keyof SoakConfig, { env: string; flag: string; fallback: number; min: number; fraction?: true }> = {
  minutes: { env: 'SOAK_MINUTES', flag: '--minutes', fallback: 10, min: 1 },
  workers: { env: 'SOAK_WORKERS', flag: '--workers', fallback: 8, min: 1 },
  generationWorkers: { env: 'SOAK_GENERATION_WORKERS', flag: '--generation-workers', fallback: 2, min: 0 },
  idSlots: { env: 'SOAK_ID_SLOTS', flag: '--id-slots', fallback: 2000, min: 100 },
  rssGrowthMiB: { env: 'SOAK_RSS_GROWTH_MIB', flag: '--rss-growth-mib', fallback: 150, min: 0 },
  rssGrowthPct: { env: 'SOAK_RSS_GROWTH_PCT', flag: '--rss-growth-pct', fallback: 25, min: 0 },
  fdGrowth: { env: 'SOAK_FD_GROWTH', flag: '--fd-growth', fallback: 20, min: 0 },
  rssSlopeMiBPerMin: { env: 'SOAK_RSS_SLOPE_MIB_PER_MIN', flag: '--rss-slope-mib-per-min', fallback: 8, min: 0, fraction: true },
  fdSlopePerMin: { env: 'SOAK_FD_SLOPE_PER_MIN', flag: '--fd-slope-per-min', fallback: 2, min: 0, fraction: true },
  seed: { env: 'SOAK_SEED', flag: '--seed', fallback: 20261125, min: 0 },
};

export function soakConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): SoakConfig {
  const out = {} as SoakConfig;
  for (const [key, s] of Object.entries(SETTINGS) as [keyof SoakConfig, (typeof SETTINGS)[keyof SoakConfig]][]) {
    const at = argv.indexOf(s.flag);
    const raw = at >= 0 ? argv[at + 1] : env[s.env];
    if (raw === undefined || raw === '') {
      out[key] = s.fallback;
      continue;
    }
    const value = Number(raw);
    if (!(s.fraction ? Number.isFinite(value) : Number.isInteger(value)) || value < s.min) {
      throw new Error(`${at >= 0 ? s.flag : s.env} must be ${s.fraction ? 'a number' : 'an integer'} >= ${s.min}, got '${raw}'`);
    }
    out[key] = value;
  }
  const unknown = argv.filter((a) => a.startsWith('--') && !Object.values(SETTINGS).some((s) => s.flag === a));
  if (unknown.length > 0) throw new Error(`unknown flag(s): ${unknown.join(', ')}`);
  if (out.generationWorkers > out.workers) out.generationWorkers = out.workers;
  return out;
}
