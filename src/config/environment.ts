/**
 * A snapshot of the process environment for the parts that read variables named at run time
 * (the openai provider's `api_key_env`). Only src/config touches process.env.
 */
export function environmentSnapshot(): Record<string, string | undefined> {
  return { ...process.env };
}
