import { DomainError } from '../../src/errors';
import { OpenAiProvider } from '../../src/providers/remote-openai';
import { closedLoopbackPort, collect, failure, remoteConfig, sse, waitFor } from '../support/openai-provider-kit';
import { json, ScriptedHttpServer } from '../support/scripted-http-server';

/**
 * The provider's one error mapping, driven by a loopback server scripted to fail the ways real
 * servers do (bad key, rate limit, 5xx, hang, reset) and by a closed port.
 */

let server: ScriptedHttpServer;

beforeAll(async () => {
  server = await ScriptedHttpServer.start();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.seen.length = 0;
  server.aborted = 0;
});

const config = (parameters: Record<string, unknown> = {}) => remoteConfig(server, parameters);
const provider = new OpenAiProvider({ env: {}, defaultTimeoutMs: 2_000 });

describe('openai provider: upstream failures, one mapping', () => {
  const cases: [string, number, unknown, Record<string, string>, string][] = [
    ['a bad key', 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, {}, 'FAILED_PRECONDITION'],
    ['a key without access', 403, { error: { message: 'forbidden' } }, {}, 'FAILED_PRECONDITION'],
    ['an unknown upstream model', 404, { error: { message: 'The model `x` does not exist', code: 'model_not_found' } }, {}, 'FAILED_PRECONDITION'],
    ['a model-not-found 400 (Ollama style)', 400, { error: 'model "x" not found, try pulling it first' }, {}, 'FAILED_PRECONDITION'],
    ['a rejected request', 400, { error: { message: "'temperature' must be <= 2", type: 'invalid_request_error', param: 'temperature' } }, {}, 'INVALID_ARGUMENT'],
    ['a validation failure (FastAPI style)', 422, { detail: 'field required' }, {}, 'INVALID_ARGUMENT'],
    ['a server error', 500, { error: { message: 'boom' } }, {}, 'UNAVAILABLE'],
    ['an overloaded server', 503, 'Service Unavailable', {}, 'UNAVAILABLE'],
    ['a disabled endpoint', 501, { error: { message: 'start the server with --embeddings', type: 'not_supported_error' } }, {}, 'FAILED_PRECONDITION'],
  ];

  it.each(cases)('maps %s (HTTP %d) and keeps the server message', async (_what, status, body, headers, code) => {
    server.script = (_req, res) => (typeof body === 'string' ? res.writeHead(status, headers).end(body) : json(res, status, body, headers));
    const e = await failure(provider.generate(config(), 'hi', {}));
    expect(e.code).toBe(code);
    expect(e.message).toContain(String(status));
    const said = typeof body === 'string' ? body : JSON.stringify(body).match(/(Incorrect API key|forbidden|does not exist|not found|must be|field required|boom|--embeddings)/)![0];
    expect(e.message).toContain(said);
  });

  it.each([
    ['temperature', 'parameters.temperature'],
    ['max_completion_tokens', 'parameters.max_tokens'],
    ['messages', 'prompt'],
    ['input[2]', 'texts[2]'],
    ['logit_bias', 'logit_bias'],
  ])("names the field a 400's param %s blames, in the caller's words (%s)", async (param, field) => {
    server.script = (_req, res) => json(res, 400, { error: { message: 'not like that', type: 'invalid_request_error', param, code: 'invalid_argument' } });
    const e = await failure(provider.generate(config(), 'hi', {}));
    expect([e.code, e.violations]).toEqual(['INVALID_ARGUMENT', [{ field, message: 'not like that' }]]);
  });

  it('names the field of an invalid-request error event inside a stream too', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse([{ error: { message: 'prompt: too long', type: 'invalid_request_error', param: 'messages', code: 'invalid_argument' } }], ''));
    };
    const e = await failure(collect(provider.stream(config(), 'hi', {})));
    expect([e.code, e.violations.map((v) => v.field)]).toEqual(['INVALID_ARGUMENT', ['prompt']]);
  });

  it('maps 429 to RESOURCE_EXHAUSTED and honours Retry-After (seconds and HTTP date)', async () => {
    server.script = (_req, res) => json(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': '7' });
    const e = await failure(provider.embed(config({ kind: 'embedding' }), ['a']));
    expect([e.code, e.retryAfterSeconds]).toEqual(['RESOURCE_EXHAUSTED', 7]);

    const at = new Date(Date.now() + 30_000).toUTCString();
    server.script = (_req, res) => json(res, 429, { error: { message: 'slow down' } }, { 'retry-after': at });
    const dated = await failure(provider.embed(config({ kind: 'embedding' }), ['a']));
    expect(dated.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(dated.retryAfterSeconds).toBeLessThanOrEqual(31);
  });

  it('maps a refused connection to UNAVAILABLE', async () => {
    const port = await closedLoopbackPort();
    const e = await failure(provider.generate(config({ base_url: `http://127.0.0.1:${port}/v1` }), 'hi', {}));
    expect(e.code).toBe('UNAVAILABLE');
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('maps a reset connection to UNAVAILABLE', async () => {
    server.script = (_req, res) => res.socket?.destroy();
    expect((await failure(provider.generate(config(), 'hi', {}))).code).toBe('UNAVAILABLE');
  });

  it('maps a server that does not answer within timeout_ms to DEADLINE_EXCEEDED, and ends the request', async () => {
    server.script = () => undefined;
    const e = await failure(provider.generate(config({ timeout_ms: 150 }), 'hi', {}));
    expect(e.code).toBe('DEADLINE_EXCEEDED');
    await waitFor(() => server.aborted === 1);
  });

  it('maps a stream that goes silent for timeout_ms to DEADLINE_EXCEEDED', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse([{ choices: [{ delta: { content: 'a' } }] }], ''));
    };
    const seen: unknown[] = [];
    const e = await failure(
      (async () => {
        // Idle time, reset by every chunk: long enough that a loaded machine still delivers 'a' first.
        for await (const c of provider.stream(config({ timeout_ms: 2_000 }), 'hi', {})) seen.push(c);
      })(),
    );
    expect(e.code).toBe('DEADLINE_EXCEEDED');
    expect(seen).toEqual([{ done: false, text: 'a' }]);
  });

  it('maps an error event inside a stream by its type', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse([{ choices: [{ delta: { content: 'a' } }] }, { error: { message: 'queue full', type: 'rate_limit_error' } }], ''));
    };
    const e = await failure(collect(provider.stream(config(), 'hi', {})));
    expect(e.code).toBe('RESOURCE_EXHAUSTED');
    expect(e.message).toContain('queue full');
  });

  it('maps a 200 that is not the OpenAI API to FAILED_PRECONDITION', async () => {
    server.script = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome</html>');
    expect((await failure(provider.embed(config({ kind: 'embedding' }), ['a']))).code).toBe('FAILED_PRECONDITION');
  });

  it('a caller that cancels gets CANCELLED at once and the upstream request is aborted', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse([{ choices: [{ delta: { content: 'a' } }] }], ''));
    };
    const controller = new AbortController();
    const e = await failure(
      (async () => {
        for await (const c of provider.stream(config(), 'hi', {}, { signal: controller.signal })) if (!c.done) controller.abort();
      })(),
    );
    expect(e.code).toBe('CANCELLED');
    await waitFor(() => server.aborted === 1);
  });

  it("keeps the caller's own reason when its signal carries a DomainError (a gRPC deadline)", async () => {
    server.script = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DomainError('DEADLINE_EXCEEDED', 'deadline exceeded')), 50);
    expect((await failure(provider.generate(config(), 'hi', {}, { signal: controller.signal }))).code).toBe('DEADLINE_EXCEEDED');
  });

  it("maps the caller's AbortSignal.timeout() to DEADLINE_EXCEEDED", async () => {
    server.script = () => undefined;
    expect((await failure(provider.generate(config(), 'hi', {}, { signal: AbortSignal.timeout(50) }))).code).toBe('DEADLINE_EXCEEDED');
    await waitFor(() => server.aborted === 1);
  });
});
