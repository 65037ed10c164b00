import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';

const run = promisify(execFile);
/** Built from the Go module proxy by the external tier's setup (scripts/install-grpcurl.sh). */
const GRPCURL = join(__dirname, '..', '..', '.tools', 'bin', 'grpcurl');

describe('grpcurl against the service as a process', () => {
  let svc: ServiceProcess | undefined;

  afterAll(async () => {
    await svc?.stop();
  });

  it('serves reflection to grpcurl: list, describe, health and a call', async () => {
    expect(existsSync(GRPCURL)).toBe(true);
    svc = await startService(await tempDir('grpcurl'), LIGHT_START);
    const addr = `127.0.0.1:${svc.grpcPort}`;
    const list = await run(GRPCURL, ['-plaintext', addr, 'list']);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['taishang.ai.v1.VectorService', 'grpc.health.v1.Health']));
    const described = await run(GRPCURL, ['-plaintext', addr, 'describe', 'taishang.ai.v1.VectorService']);
    expect(described.stdout).toContain('rpc Search ( .taishang.ai.v1.SearchRequest ) returns ( .taishang.ai.v1.SearchResponse );');
    const health = await run(GRPCURL, ['-plaintext', addr, 'grpc.health.v1.Health/Check']);
    expect(JSON.parse(health.stdout)).toEqual({ status: 'SERVING' });
    await run(GRPCURL, ['-plaintext', '-d', '{"name":"cli","vector_dim":2}', addr, 'taishang.ai.v1.VectorService/CreateCollection']);
    const has = await run(GRPCURL, ['-plaintext', '-d', '{"name":"cli"}', addr, 'taishang.ai.v1.VectorService/HasCollection']);
    expect(JSON.parse(has.stdout)).toEqual({ exists: true });
    const bad = await run(GRPCURL, ['-plaintext', '-d', '{"name":"9nope","vector_dim":2}', addr, 'taishang.ai.v1.VectorService/CreateCollection']).catch((e: { stderr: string }) => e);
    expect((bad as { stderr: string }).stderr).toMatch(/Code: InvalidArgument[\s\S]*name/);
  });
});
