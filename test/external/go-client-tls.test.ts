import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { tempDir } from '../support/temp-dirs';
import { makeCertificates, type CertificateFiles } from '../support/tls-certificates';

const run = promisify(execFile);
const GO_MODULE = join(__dirname, '..', '..', 'clients', 'go');

/** Runs the Go client's TLS example (clients/go/examples/tls); exit 0 and what it printed, or the failure. */
async function goList(binary: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return run(binary, args, { timeout: 60_000 }).then(
    (r) => ({ ok: true, out: r.stdout.trim() }),
    (e: { stderr: string }) => ({ ok: false, out: e.stderr.trim() }),
  );
}

/**
 * The Go client's TLS options (client.WithTLS) against the real service process with certificates
 * from openssl; the same rules with Node clients and curl are in test/integration/tls.test.ts.
 */
describe('the Go client over TLS', () => {
  let files: CertificateFiles;
  let goClient: string;

  beforeAll(async () => {
    const dir = await tempDir('go-tls');
    files = await makeCertificates(dir);
    goClient = join(dir, 'go-tls-example');
    await run('go', ['build', '-o', goClient, './examples/tls'], { cwd: GO_MODULE, timeout: 300_000 });
  }, 320_000);

  describe('server certificate only', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      service = await startService(await tempDir('go-tls-data'), { ...LIGHT_START, TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey }, { ca: await readFile(files.ca) });
      await service.vectors.createCollection({ name: 'over_tls', vectorDim: 4 });
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
    });

    it('with the CA it is served; trusting another CA it is not', async () => {
      const addr = `127.0.0.1:${service.grpcPort}`;
      expect(await goList(goClient, ['-addr', addr, '-ca', files.ca])).toEqual({ ok: true, out: 'collections: [over_tls]' });
      const wrongCa = await goList(goClient, ['-addr', addr, '-ca', files.otherCa]);
      expect(wrongCa.ok).toBe(false);
      expect(wrongCa.out).toMatch(/certificate/);
    });
  });

  describe('with TLS_CLIENT_CA_FILE (mutual TLS)', () => {
    let service: ServiceProcess;

    beforeAll(async () => {
      const env = { TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: files.serverKey, TLS_CLIENT_CA_FILE: files.ca };
      const tls = { ca: await readFile(files.ca), cert: await readFile(files.clientCert), key: await readFile(files.clientKey) };
      service = await startService(await tempDir('go-mtls-data'), { ...LIGHT_START, ...env }, tls);
    }, 180_000);

    afterAll(async () => {
      await service?.stop();
    });

    it('refused without a client certificate, served with it', async () => {
      const addr = `127.0.0.1:${service.grpcPort}`;
      expect((await goList(goClient, ['-addr', addr, '-ca', files.ca])).ok).toBe(false);
      expect(await goList(goClient, ['-addr', addr, '-ca', files.ca, '-cert', files.clientCert, '-key', files.clientKey])).toEqual({ ok: true, out: 'collections: []' });
    });
  });
});
