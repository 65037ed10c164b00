import { open } from 'node:fs/promises';
import { errors } from '../../errors';

/** Every GGUF file starts with these four bytes (GGUF spec, "magic"). */
const GGUF_MAGIC = 'GGUF';

/**
 * Registration-time check that the weights are there and are GGUF, so a typo or a half-copied
 * file is refused with its full path instead of failing the first generation.
 */
export async function checkGgufFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw errors.failedPrecondition(`model file missing: ${path} (run npm run fetch-models)`);
    throw errors.failedPrecondition(`model file ${path} cannot be read (${String(code ?? cause)})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw errors.failedPrecondition(`model file ${path} is not a regular file`);
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.toString('latin1') !== GGUF_MAGIC) throw errors.failedPrecondition(`model file ${path} is not a GGUF file`);
  } finally {
    await handle.close();
  }
}
