import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { AccessControl } from '../../src/domain';
import { registerAccessChecks } from '../../src/http/auth-hook';
import { registerErrorHandlers } from '../../src/http/error-handlers';

const KEY = 'reader-key-0123456789';
const access = (): AccessControl =>
  new AccessControl({
    keys: [{ name: 'reader', sha256: createHash('sha256').update(KEY).digest('hex'), roles: ['read'] }],
    metricsPublic: false,
    rateLimit: { perSecond: 0, burst: 0 },
  });

/** light-my-request cannot load under jest here, so calls go over loopback like the integration tests'. */
async function served(app: FastifyInstance): Promise<(path: string, headers?: Record<string, string>) => Promise<{ status: number; headers: Headers; body: any }>> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return async (path, headers = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
}

describe('REST access checks', () => {
  it('refuses to build an app with a route that declares no access', async () => {
    const app = Fastify();
    registerAccessChecks(app, access());
    expect(() => app.get('/v1/unguarded', async () => 'open')).toThrow('route GET /v1/unguarded declares no config.access');
    await app.close();
  });

  it('treats Swagger UI routes as public and lets unknown paths reach the 404 handler', async () => {
    const app = Fastify();
    registerAccessChecks(app, access());
    registerErrorHandlers(app, 1024);
    app.get('/docs/static/thing', async () => 'asset');
    const get = await served(app);
    expect((await get('/docs/static/thing')).status).toBe(200);
    expect((await get('/v1/nothing-here')).status).toBe(404);
    await app.close();
  });

  it('answers 401 with WWW-Authenticate, 403 naming the role, and logs the key name on admitted calls', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString('utf8'))); done(); } });
    const app = Fastify({ loggerInstance: pino(sink) as FastifyBaseLogger });
    registerAccessChecks(app, access());
    registerErrorHandlers(app, 1024);
    app.get('/r', { config: { access: 'read' } }, async (request) => ({ who: request.principal?.name }));
    app.get('/w', { config: { access: 'write' } }, async () => 'no');
    const get = await served(app);
    const missing = await get('/r');
    expect({ status: missing.status, auth: missing.headers.get('www-authenticate'), code: missing.body.code }).toEqual({ status: 401, auth: 'Bearer', code: 'UNAUTHENTICATED' });
    const denied = await get('/w', { authorization: `Bearer ${KEY}` });
    expect({ status: denied.status, code: denied.body.code, detail: denied.body.detail }).toEqual({
      status: 403,
      code: 'PERMISSION_DENIED',
      detail: "API key 'reader' lacks the 'write' role this operation needs",
    });
    expect((await get('/r', { authorization: `bearer ${KEY}` })).body).toEqual({ who: 'reader' });
    expect(lines.find((l) => l.msg === 'request completed' && (l.res as { statusCode: number }).statusCode === 200)).toMatchObject({ keyName: 'reader' });
    expect(JSON.stringify(lines)).not.toContain(KEY);
    await app.close();
  });
});
