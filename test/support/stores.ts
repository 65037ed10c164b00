import { LanceVectorStore, type LanceStoreOptions } from '../../src/adapters/vector/lance';
import { tempDir } from './temp-dirs';

/** The embedded LanceDB store (the default engine) in a fresh temp dir; the caller closes it. */
export async function openLanceStore(options: Partial<LanceStoreOptions> = {}): Promise<LanceVectorStore> {
  return LanceVectorStore.open({ dataDir: await tempDir('lance'), ...options });
}

export interface LanceStoreFixture {
  readonly store: LanceVectorStore;
}

/**
 * A LanceDB store in a fresh temp dir for the enclosing describe block: opened in a beforeAll and
 * closed in an afterAll of its own. jest runs a block's afterAll hooks in declaration order, so it
 * closes before those declared after it: they may still stop a server over the store, but not use it.
 */
export function useLanceStore(options: Partial<LanceStoreOptions> = {}): LanceStoreFixture {
  let store: LanceVectorStore | undefined;
  beforeAll(async () => {
    store = await openLanceStore(options);
  });
  afterAll(async () => {
    await store?.close();
  });
  return {
    get store(): LanceVectorStore {
      if (store === undefined) throw new Error('useLanceStore(): read .store inside a test or a later hook');
      return store;
    },
  };
}
