import { Status } from 'nice-grpc';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import type { ModelService } from '../../src/domain';
import { OpenAiProvider } from '../../src/providers/remote-openai';
import { openModelService } from '../support/model-services';
import { expectProblem, fieldsOf, startRestServer, type RestTestServer } from '../support/rest-test-server';
import { json, ScriptedHttpServer } from '../support/scripted-http-server';
import { tempDir } from '../support/temp-dirs';
import { expectStatus, startGrpc, violatedFields, type GrpcHarness } from './grpc-harness';

const CHAT_ANSWER = { choices: [{ message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 1 } };

/**
 * PROVIDER_HOSTS over both doors: the allowlist names one loopback server; another loopback server
 * stands for a host the service must not reach (an internal service, a metadata endpoint).
 */
describe('PROVIDER_HOSTS: openai models reach only allowed hosts', () => {
  let allowed: ScriptedHttpServer;
  let forbidden: ScriptedHttpServer;
  let models: ModelService;
  let rest: RestTestServer;
  let grpc: GrpcHarness;

  const remote = (name: string, server: ScriptedHttpServer | string) => ({
    name,
    provider: 'openai',
    model_id: 'upstream',
    parameters: { base_url: `${typeof server === 'string' ? server : server.url}/v1` },
    enabled: true,
  });

  beforeAll(async () => {
    allowed = await ScriptedHttpServer.start();
    forbidden = await ScriptedHttpServer.start();
    allowed.script = (_req, res) => json(res, 200, CHAT_ANSWER);
    forbidden.script = (_req, res) => json(res, 200, CHAT_ANSWER);
    const dir = await tempDir('provider-hosts');

    // A model stored while no allowlist was set, pointing at the host that is now forbidden.
    const before = await openModelService({ openai: new OpenAiProvider({ env: {} }) }, { dir });
    await before.register({
      name: 'legacy',
      provider: 'openai',
      modelId: 'upstream',
      parameters: { base_url: `${forbidden.url}/v1` },
    });

    const allowedHost = new URL(allowed.url).host;
    models = await openModelService({ openai: new OpenAiProvider({ env: {}, allowedHosts: ['api.openai.com', allowedHost] }) }, { dir });
    rest = await startRestServer(new MemoryVectorStore(), { models });
    grpc = await startGrpc({ models });
  });

  afterAll(async () => {
    await rest.close();
    await grpc.close();
    await allowed.close();
    await forbidden.close();
  });

  beforeEach(() => {
    allowed.seen.length = 0;
    forbidden.seen.length = 0;
  });

  const names = () => models.list().map((m) => m.name);

  it('registers and calls a model on an allowed host (REST and gRPC)', async () => {
    expect((await rest.call('POST', '/v1/models', { json: { config: remote('ok-rest', allowed) } })).status).toBe(201);
    await grpc.models.registerModel({ config: { name: 'ok-grpc', provider: 'openai', modelId: 'upstream', parameters: { base_url: `${allowed.url}/v1` }, enabled: true } });
    const generated = await rest.call('POST', '/v1/models/ok-rest/generate', { json: { prompt: 'hi' } });
    expect(generated.status).toBe(200);
    expect(generated.body.text).toBe('hello');
    expect((await grpc.models.generateText({ modelName: 'ok-grpc', prompt: 'hi' })).text).toBe('hello');
    expect(allowed.seen).toHaveLength(2);
  });

  it('refuses to register a model on another host or port: INVALID_ARGUMENT naming parameters.base_url', async () => {
    const before = names();
    const other = `http://localhost:${new URL(allowed.url).port}`;
    for (const target of [forbidden, other, 'http://169.254.169.254', 'https://api.openai.com:8443']) {
      const answer = await rest.call('POST', '/v1/models', { json: { config: remote('nope', target) } });
      expect(expectProblem(answer, 400, 'INVALID_ARGUMENT').detail).toContain('PROVIDER_HOSTS');
      expect(fieldsOf(answer)).toEqual(['config.parameters.base_url']);
    }
    const error = await expectStatus(
      grpc.models.registerModel({ config: { name: 'nope', provider: 'openai', modelId: 'upstream', parameters: { base_url: `${forbidden.url}/v1` }, enabled: true } }),
      Status.INVALID_ARGUMENT,
    );
    expect(violatedFields(error)).toEqual(['config.parameters.base_url']);
    expect(names()).toEqual(before);
    expect(forbidden.seen).toEqual([]);
  });

  it('refuses to move a model to a forbidden host on update, keeping the stored config', async () => {
    await rest.call('POST', '/v1/models', { json: { config: remote('mover', allowed) } });
    const answer = await rest.call('PUT', '/v1/models/mover', { json: { config: remote('mover', forbidden) } });
    expect(fieldsOf(answer)).toEqual(['config.parameters.base_url']);
    expectProblem(answer, 400, 'INVALID_ARGUMENT');
    const error = await expectStatus(
      grpc.models.updateModelConfig({ name: 'mover', config: { name: 'mover', provider: 'openai', modelId: 'upstream', parameters: { base_url: `${forbidden.url}/v1` }, enabled: true } }),
      Status.INVALID_ARGUMENT,
    );
    expect(violatedFields(error)).toEqual(['config.parameters.base_url']);
    expect(models.get('mover').parameters.base_url).toBe(`${allowed.url}/v1`);
  });

  it('a stored model pointing at a forbidden host fails FAILED_PRECONDITION at call time, without a request', async () => {
    const answer = await rest.call('POST', '/v1/models/legacy/generate', { json: { prompt: 'hi' } });
    expect(expectProblem(answer, 400, 'FAILED_PRECONDITION').detail).toContain('not allowed by PROVIDER_HOSTS');
    const stream = await rest.call('POST', '/v1/models/legacy/generate/stream', { json: { prompt: 'hi' } });
    expectProblem(stream, 400, 'FAILED_PRECONDITION');
    const error = await expectStatus(grpc.models.generateText({ modelName: 'legacy', prompt: 'hi' }), Status.FAILED_PRECONDITION);
    expect(error.details).toContain('PROVIDER_HOSTS');
    expect(await models.ready(['legacy'])).toBe(false);
    expect(forbidden.seen).toEqual([]);
  });

  it('does not follow a redirect from an allowed host to a forbidden one', async () => {
    await rest.call('POST', '/v1/models', { json: { config: remote('redirected', allowed) } });
    allowed.script = (_req, res) => res.writeHead(307, { location: `${forbidden.url}/v1/chat/completions` }).end();
    try {
      const answer = await rest.call('POST', '/v1/models/redirected/generate', { json: { prompt: 'hi' } });
      expect(expectProblem(answer, 400, 'FAILED_PRECONDITION').detail).toContain('redirects are not followed');
      const error = await expectStatus(grpc.models.generateText({ modelName: 'redirected', prompt: 'hi' }), Status.FAILED_PRECONDITION);
      expect(error.details).toContain('307');
    } finally {
      allowed.script = (_req, res) => json(res, 200, CHAT_ANSWER);
    }
    expect(allowed.seen).toHaveLength(2);
    expect(forbidden.seen).toEqual([]);
  });
});
