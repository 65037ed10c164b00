import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: { target: string }[];
  ports?: { host_ip?: string; published?: string; target: number }[];
}

/** docker-compose.yml as Docker Compose itself resolves it (built by scripts/setup.sh compose; no engine needed). */
describe('docker-compose.yml', () => {
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    await run('bash', [join(ROOT, 'scripts', 'check-compose.sh')], { cwd: ROOT, timeout: 120_000 });
    const { stdout } = await run('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_CONFIG: join(ROOT, '.tools', 'docker') },
    });
    services = (JSON.parse(stdout) as { services: Record<string, ComposeService> }).services;
  }, 180_000);

  it('runs Milvus standalone with etcd and MinIO, and the service on it', () => {
    expect(Object.keys(services).sort()).toEqual(['ai-service', 'etcd', 'milvus', 'minio']);
    expect(services['ai-service']!.environment).toMatchObject({ VECTOR_BACKEND: 'milvus', MILVUS_HOST: 'milvus', MILVUS_PORT: '19530' });
    expect(services['ai-service']!.depends_on).toEqual({ milvus: expect.objectContaining({ condition: 'service_healthy' }) });
    expect(services.milvus!.environment).toMatchObject({ ETCD_ENDPOINTS: 'etcd:2379', MINIO_ADDRESS: 'minio:9000' });
    expect(services['ai-service']!.ports!.map((p) => p.target).sort()).toEqual([50051, 8083]);
  });

  it('pins every image, checks every container and keeps state in volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build === undefined) expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/:(v?\d[\w.-]*|RELEASE\.[\w.-]+)$/) });
      expect({ name, healthcheck: (service.healthcheck?.test?.length ?? 0) > 0, volumes: (service.volumes?.length ?? 0) > 0 }).toEqual({ name, healthcheck: true, volumes: true });
    }
    // Milvus and MinIO are reachable from the host on loopback only.
    for (const name of ['milvus', 'minio']) for (const port of services[name]!.ports!) expect(port.host_ip).toBe('127.0.0.1');
  });
});
