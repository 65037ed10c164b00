import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { VectorServiceDefinition } from '../../src/gen/taishang/ai/v1/vector_service';
import { exitCode, httpsStatus, runMain, startService, type ServiceProcess } from '../support/service-process';

const run = promisify(execFile);

/** A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with the openssl CLI. */
async function makeCertificates(dir: string): Promise<Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', string>> {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', ...ec, '-keyout', at(`${ca}.key`), '-out', at(`${ca}.pem`), '-days', '2', '-subj', `/CN=taishang test ${ca}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }
  const issue = async (name: string, ext: string) => {
    await writeFile(at(`${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=taishang ${name}`);
    openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at(`${name}.pem`), '-days', '2', '-extfile', at(`${name}.ext`));
  };
  await issue('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await issue('client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  return { ca: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'), clientCert: at('client.pem'), clientKey: at('client.key'), otherCa: at('other-ca.pem') };
}

/** curl's exit code and the HTTP status it got (000 when there was no HTTP answer). */
async function curl(url: string, ...args: string[]): Promise<{ exit: number; status: string }> {
  const answer = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', ...args, url]).then(
    (r) => ({ exit: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ exit: e.code, stdout: e.stdout }),
  );
  return { exit: answer.exit, status: answer.stdout.trim() };
}

const GO_MODULE = join(__dirname, '..', '..', 'clients', 'go');

/** Runs the Go client's TLS example (clients/go/examples/tls); exit 0 and what it printed, or the failure. */
async function goList(binary: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return run(binary, args, { timeout: 60_000 }).then(
    (r) => ({ ok: true, out: r.stdout.trim() }),
    (e: { stderr: string }) => ({ ok: false, out: e.stderr.trim() }),
  );
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

describe('TLS on both doors (the real service process, certificates from openssl)', () => {
  let dir: string;
  let files: Awaited<ReturnType<typeof makeCertificates>>;
  let ca: Buffer;
  let goClient: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taishang-tls-'));
    files = await makeCertificates(dir);
    ca = await readFile(files.ca);
    goClient = join(dir, 'go-tls-example');
    await run('go', ['build', '-o', goClient, './examples/tls'], { cwd: GO_MODULE, timeout: 300_000 });
  }, 320_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('server certificate only', () => {
    let service: ServiceProcess;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'taishang-tls-data-'));
      service = await startService(dataDir, { TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey }, { ca });
      await service.vectors.createCollection({ name: 'over_tls', vectorDim: 4 });
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
      await rm(dataDir, { recursive: true, force: true });
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

    it('the Go client (client.WithTLS) with the CA is served; trusting another CA it is not', async () => {
      const addr = `127.0.0.1:${service.grpcPort}`;
      expect(await goList(goClient, ['-addr', addr, '-ca', files.ca])).toEqual({ ok: true, out: 'collections: [over_tls]' });
      const wrongCa = await goList(goClient, ['-addr', addr, '-ca', files.otherCa]);
      expect(wrongCa.ok).toBe(false);
      expect(wrongCa.out).toMatch(/certificate/);
    });
  });

  describe('with TLS_CLIENT_CA_FILE (mutual TLS)', () => {
    let service: ServiceProcess;
    let dataDir: string;
    let clientCert: Buffer;
    let clientKey: Buffer;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'taishang-mtls-data-'));
      clientCert = await readFile(files.clientCert);
      clientKey = await readFile(files.clientKey);
      const env = { TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey, TLS_CLIENT_CA_FILE: files.ca };
      service = await startService(dataDir, env, { ca, cert: clientCert, key: clientKey });
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('gRPC: a client without a certificate is refused; one with the client certificate is served', async () => {
      expect(await grpcFailure(createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(ca)))).toBe(Status.UNAVAILABLE);
      const mutual = createChannel(`127.0.0.1:${service.grpcPort}`, credentials.createSsl(ca, clientKey, clientCert));
      expect(await listCollections(mutual)).toEqual([]);
      mutual.close();
    });

    it('the Go client: refused without a client certificate, served with it', async () => {
      const addr = `127.0.0.1:${service.grpcPort}`;
      expect((await goList(goClient, ['-addr', addr, '-ca', files.ca])).ok).toBe(false);
      expect(await goList(goClient, ['-addr', addr, '-ca', files.ca, '-cert', files.clientCert, '-key', files.clientKey])).toEqual({ ok: true, out: 'collections: []' });
    });

    it('HTTPS: the same rule, checked in the handshake', async () => {
      expect((await curl(`${service.baseUrl}/readyz`, '--cacert', files.ca)).status).toBe('000');
      expect(await httpsStatus(`${service.baseUrl}/readyz`, { ca })).toBeUndefined();
      expect(await curl(`${service.baseUrl}/readyz`, '--cacert', files.ca, '--cert', files.clientCert, '--key', files.clientKey)).toEqual({ exit: 0, status: '200' });
    });
  });

  describe('bad TLS settings stop the service at start, naming the variable', () => {
    async function startFails(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
      const dataDir = await mkdtemp(join(tmpdir(), 'taishang-tls-bad-'));
      try {
        const child = runMain({ DATA_DIR: dataDir, ...env });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
        child.stdout!.resume();
        const code = await exitCode(child);
        return { code, stderr };
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
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
