import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temp dirs for tests: `taishang-<label>-XXXXXX` under the OS temp dir, removed when the test file
 * ends by the jest environment (test/support/jest-environment.js), after the file's last hook, so
 * whatever a test closes in its own afterAll/afterEach (a store, a service process, a browser)
 * still has its directory while it closes. Nothing to remove by hand.
 */
const REGISTRY = '__taishangTempDirs';

/** A new empty directory, removed when the test file ends. */
export async function tempDir(label: string): Promise<string> {
  const registry = (globalThis as Record<string, unknown>)[REGISTRY] as string[] | undefined;
  if (registry === undefined) throw new Error('tempDir() needs the jest environment of test/support/jest-environment.js (set in jest.config.js)');
  const dir = await mkdtemp(join(tmpdir(), `taishang-${label}-`));
  registry.push(dir);
  return dir;
}

export interface TempDir {
  /** The directory; read it inside a test or a hook that runs after the one that made it. */
  readonly path: string;
}

/**
 * A temp dir for the enclosing describe block (or file): made in beforeAll, or a fresh one before
 * every test with `{ each: true }`. Declare it before the hooks that use it.
 */
export function useTempDir(label: string, options: { each?: boolean } = {}): TempDir {
  let path: string | undefined;
  (options.each === true ? beforeEach : beforeAll)(async () => {
    path = await tempDir(label);
  });
  return {
    get path(): string {
      if (path === undefined) throw new Error(`useTempDir('${label}'): read .path inside a test or a later hook`);
      return path;
    },
  };
}
