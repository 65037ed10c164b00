import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { exitCode, httpsStatus, runMain, startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';
import { makeCertificates, type CertificateFiles } from '../support/tls-certificates';

const run = promisify(execFile);

/** curl's exit code and the HTTP status it got (000 when there was no HTTP answer). */
async function curl(url: string, ...args: string[]): Promise<{ exit: number; status: string }> {
  const answer = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', ...args, url]).then(
    (r) => ({ exit: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ exit: e.code, stdout: e.stdout }),
  );
  return { exit: answer.exit, status: answer.stdout.trim() };
}

async function listCollections(channel: Channel): Promise<string[]> {
  const client = createClient(VectorServiceDefinition, channel);
  return (await client.listCollections({}, { signal: AbortSignal.timeout(20_000) })).names;
}

async function grpcFailure(channel: Channel): Promise<Status> {
  const error = await listCollections(channel).then(() => undefined, (e: unknown) => e);
  channel.close();
  expect(error).toBeInstanceOf(ClientError);
  return (error as ClientError).code;
}

/** The Go client over TLS is in test/external/go-client-tls.test.ts (it needs Go). */
describe('TLS on both doors (the real service process, certificates from openssl)', () => {
  let dir: string;
  let files: CertificateFiles;
  let ca: Buffer;

  beforeAll(async () => {
    dir = await tempDir('tls');
    files = await makeCertificates(dir);
    ca = await readFile(files.ca);
  });

  describe('server certificate only', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startService(await tempDir('tls-data'), { ...LIGHT_START, TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey }, { ca });
      await service.vectors.createCollection({ name: 'over_tls', vectorDim: 4 });
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
    });

    it('says so in its start-up log', async () => {
      expect(await service.waitForLog((l) => l.msg === 'taishang-ai listening')).toMatchObject({ transport: 'tls' });
    });

    it('HTTPS: curl with the CA gets 200; without it, or over plain http, there is no answer', async () => {
      expect(service.baseUrl.startsWith('https://')).toBe(true);
      expect(await curl(`${service.baseUrl}/readyz`, '--cacert', files.ca)).toEqual({ exit: 0, status: '200' });
      expect(await curl(`https://localhost:${service.httpPort}/v1/collections`, '--cacert', files.ca)).toEqual({ exit: 0, status: '200' });
      // 60: the peer's certificate cannot be verified with the system's CAs.
      expect((await curl(`${service.baseUrl}/readyz`)).exit).toBe(60);
      expect((await curl(`${service.baseUrl}/readyz`, '--cacert', files.otherCa)).exit).toBe(60);
      const plain = await curl(`http://127.0.0.1:${service.httpPort}/readyz`);
      expect(plain.exit).not.toBe(0);
      expect(plain.status).toBe('000');
    });

    it('gRPC: a client trusting the CA is served; an insecure client and one trusting another CA are not', async () => {
      const secure = createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(ca));
      expect(await listCollections(secure)).toEqual(['over_tls']);
      secure.close();
      expect(await grpcFailure(createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure()))).toBe(Status.UNAVAILABLE);
      expect(await grpcFailure(createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(await readFile(files.otherCa))))).toBe(Status.UNAVAILABLE);
    });
  });

  describe('with TLS_CLIENT_CA_FILE (mutual TLS)', () => {
    let service: ServiceProcess;
    let clientCert: Buffer;
    let clientKey: Buffer;

    beforeAll(async () => {
      clientCert = await readFile(files.clientCert);
      clientKey = await readFile(files.clientKey);
      const env = { TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey, TLS_CLIENT_CA_FILE: files.ca };
      service = await startService(await tempDir('mtls-data'), { ...LIGHT_START, ...env }, { ca, cert: clientCert, key: clientKey });
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
    });

    it('gRPC: a client without a certificate is refused; one with the client certificate is served', async () => {
      expect(await grpcFailure(createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(ca)))).toBe(Status.UNAVAILABLE);
      const mutual = createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(ca, clientKey, clientCert));
      expect(await listCollections(mutual)).toEqual([]);
      mutual.close();
    });

    it('HTTPS: the same rule, checked in the handshake', async () => {
      expect((await curl(`${service.baseUrl}/readyz`, '--cacert', files.ca)).status).toBe('000');
      expect(await httpsStatus(`${service.baseUrl}/readyz`, { ca })).toBeUndefined();
      expect(await curl(`${service.baseUrl}/readyz`, '--cacert', files.ca, '--cert', files.clientCert, '--key', files.clientKey)).toEqual({ exit: 0, status: '200' });
    });
  });

  describe('bad TLS settings stop the service at start, naming the variable', () => {
    async function startFails(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
      const child = runMain({ DATA_DIR: await tempDir('tls-bad'), ...env });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.stdout!.resume();
      const code = await exitCode(child);
      return { code, stderr };
    }

    it('half a pair, a client CA without a certificate, an unreadable file, a key of another certificate', async () => {
      const half = await startFails({ TLS_CERT_FILE: files.serverCert });
      expect(half).toEqual({ code: 2, stderr: expect.stringContaining('TLS_CERT_FILE and TLS_KEY_FILE must be set together') });
      const caOnly = await startFails({ TLS_CLIENT_CA_FILE: files.ca });
      expect(caOnly).toEqual({ code: 2, stderr: expect.stringContaining('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE') });
      const missing = await startFails({ TLS_CERT_FILE: join(dir, 'nope.pem'), TLS_KEY_FILE: files.serverKey });
      expect(missing).toEqual({ code: 2, stderr: expect.stringContaining(`TLS_CERT_FILE=${join(dir, 'nope.pem')}: cannot be read (ENOENT)`) });
      const mismatched = await startFails({ TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.clientKey });
      expect(mismatched).toEqual({ code: 2, stderr: expect.stringContaining('is not the key of the certificate in TLS_CERT_FILE') });
      const notPem = await startFails({ TLS_CERT_FILE: files.serverKey, TLS_KEY_FILE: files.serverKey });
      expect(notPem).toEqual({ code: 2, stderr: expect.stringContaining('TLS_CERT_FILE') });
    }, 120_000);
  });
});
