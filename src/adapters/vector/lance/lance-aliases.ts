import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compareIds, type AliasInfo } from '../../../domain';

const FILE = 'aliases.json';
const FORMAT = 1;

/**
 * The embedded store's aliases: one JSON file (`aliases.json` in the data dir, beside `catalog/`)
 * holding every alias → collection name, rewritten whole on each change with the catalog's
 * protocol (temp file, fsync, rename, fsync of the directory), so after a crash it holds the old
 * or the new map, never a mix. The map in memory changes only once the file has: a change that
 * could not be saved changed nothing, and a reader resolves an alias against one map or the other.
 */
export class LanceAliases {
  private constructor(
    private readonly file: string,
    private map: ReadonlyMap<string, string>,
  ) {}

  /**
   * Reads the file (none yet: no aliases). Entries that name no collection in `collections`, or
   * whose alias is a collection's name, are left out and reported: the store refuses to make such
   * entries, so they come from a hand-edited file or another version, and a dangling alias would
   * only answer NOT_FOUND.
   */
  static async load(dataDir: string, collections: ReadonlySet<string>): Promise<{ aliases: LanceAliases; dropped: AliasInfo[] }> {
    const file = join(dataDir, FILE);
    // Temp files of writes a crash interrupted.
    for (const name of await readdir(dataDir)) if (name.startsWith(`${FILE}.tmp-`)) await rm(join(dataDir, name), { force: true });
    const map = new Map<string, string>();
    const dropped: AliasInfo[] = [];
    let raw: string | undefined;
    try {
      raw = await readFile(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    }
    if (raw !== undefined) {
      const parsed = JSON.parse(raw) as { format?: unknown; aliases?: unknown };
      if (parsed.format !== FORMAT || typeof parsed.aliases !== 'object' || parsed.aliases === null) throw new Error(`${file} is not an alias file of this service`);
      for (const [alias, collection] of Object.entries(parsed.aliases as Record<string, unknown>)) {
        if (typeof collection === 'string' && collections.has(collection) && !collections.has(alias)) map.set(alias, collection);
        else dropped.push({ alias, collection: String(collection) });
      }
    }
    return { aliases: new LanceAliases(file, map), dropped };
  }

  /** The collection an alias names, if `name` is an alias. */
  target(name: string): string | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** Sorted by alias (byte order); only those naming `collection` when given. */
  list(collection: string | null = null): AliasInfo[] {
    return [...this.map]
      .filter(([, target]) => collection === null || target === collection)
      .map(([alias, target]) => ({ alias, collection: target }))
      .sort((a, b) => compareIds(a.alias, b.alias));
  }

  /** Creates or moves an alias: durable before it is visible. */
  async set(alias: string, collection: string): Promise<void> {
    await this.save(new Map([...this.map, [alias, collection]]));
  }

  async delete(alias: string): Promise<void> {
    const next = new Map(this.map);
    next.delete(alias);
    await this.save(next);
  }

  private async save(next: ReadonlyMap<string, string>): Promise<void> {
    const temp = `${this.file}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(JSON.stringify({ format: FORMAT, aliases: Object.fromEntries(next) }, null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (cause) {
      await rm(temp, { force: true });
      throw cause;
    }
    // Renamed: the new map is the one this process (and a restart) reads from here on.
    this.map = next;
    await syncDir(dirname(this.file));
  }
}

/** A rename is durable only once the directory itself is flushed. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
