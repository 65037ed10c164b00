import { createServer } from 'node:net';
import type { ModelConfig } from '../../src/domain';
import { DomainError } from '../../src/errors';
import type { ScriptedHttpServer } from './scripted-http-server';

/** Helpers shared by the openai provider's unit tests. */

/** An `openai` model whose base_url is the scripted server's /v1. */
export function remoteConfig(server: ScriptedHttpServer, parameters: Record<string, unknown> = {}): ModelConfig {
  return { name: 'remote', provider: 'openai', modelId: 'upstream-model', parameters: { base_url: `${server.url}/v1`, ...parameters }, enabled: true };
}

/** Runs the call and returns the DomainError it failed with. */
export async function failure(call: Promise<unknown>): Promise<DomainError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** An SSE body of `data:` events, ended by `tail` (the [DONE] sentinel unless told otherwise). */
export function sse(events: unknown[], tail = 'data: [DONE]\n\n'): string {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + tail;
}

/** A port on loopback that was just free: nothing listens there. */
export async function closedLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
