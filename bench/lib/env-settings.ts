/** A positive integer setting from the environment, or `fallback` when unset or not one. */
export function intEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
