import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROVIDERS, type ModelConfig, type RegistryStore } from '../../domain';
import { errors } from '../../errors';

/**
 * The model registry as one JSON file in DATA_DIR. Saves are atomic (write a temp file, fsync,
 * rename over the old one, fsync the directory), so a crash mid-write leaves the old or the new
 * list, never a torn one.
 */
export class JsonFileRegistryStore implements RegistryStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'models', 'registry.json');
  }

  async load(): Promise<ModelConfig[] | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw errors.unavailable(`cannot read the model registry at ${this.file}`, e);
    }
    const parsed = JSON.parse(text) as { version?: number; models?: unknown };
    if (!Array.isArray(parsed.models)) throw errors.internal(new Error(`${this.file}: no models array`));
    return parsed.models.map((m) => toConfig(m, this.file));
  }

  async save(models: readonly ModelConfig[]): Promise<void> {
    const dir = dirname(this.file);
    await mkdir(dir, { recursive: true });
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    const body = JSON.stringify({ version: 1, models }, null, 2) + '\n';
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(body, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
      const dirHandle = await open(dir, 'r');
      try {
        await dirHandle.sync();
      } finally {
        await dirHandle.close();
      }
    } catch (e) {
      await rm(temp, { force: true });
      throw errors.unavailable('cannot save the model registry', e);
    }
  }
}

function toConfig(raw: unknown, file: string): ModelConfig {
  const m = raw as Partial<ModelConfig>;
  if (typeof m.name !== 'string' || !(PROVIDERS as readonly unknown[]).includes(m.provider) || typeof m.modelId !== 'string') {
    throw errors.internal(new Error(`${file}: malformed model entry ${JSON.stringify(raw)}`));
  }
  return { name: m.name, provider: m.provider!, modelId: m.modelId, parameters: m.parameters ?? {}, enabled: m.enabled !== false };
}
