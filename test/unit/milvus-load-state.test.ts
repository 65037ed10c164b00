import { LoadState } from '@zilliz/milvus2-sdk-node';
import type { MilvusConnection } from '../../src/adapters/vector/milvus/milvus-connection';
import { MilvusLoader } from '../../src/adapters/vector/milvus/milvus-loader';

const ok = { error_code: 'Success', code: 0, reason: '' };

/** A connection whose client answers GetLoadState from `states` in turn and HasCollection with `exists`. */
function loaderWith(states: LoadState[], exists: boolean): { loader: MilvusLoader; asked: string[] } {
  const asked: string[] = [];
  const client = {
    loadCollectionAsync: async () => ok,
    getLoadState: async () => {
      asked.push('getLoadState');
      return { status: ok, state: states.shift() ?? LoadState.LoadStateLoaded };
    },
    hasCollection: async () => {
      asked.push('hasCollection');
      return { status: ok, value: exists };
    },
  };
  const conn = { call: (_context: unknown, _signal: unknown, run: (c: unknown, timeout: number) => Promise<unknown>) => run(client, 1_000) };
  return { loader: new MilvusLoader(conn as unknown as MilvusConnection, 10_000), asked };
}

/** MilvusLoader.load (milvus-loader.ts): when a NotExist load state means a missing collection. */
describe('Milvus load state NotExist', () => {
  it('goes on polling when the collection exists: the proxy says NotExist for any failure to resolve the name', async () => {
    const { loader, asked } = loaderWith([LoadState.LoadStateNotExist, LoadState.LoadStateLoading, LoadState.LoadStateLoaded], true);
    await expect(loader.load('fresh', undefined)).resolves.toBeUndefined();
    expect(asked).toEqual(['getLoadState', 'hasCollection', 'getLoadState', 'getLoadState']);
  });

  it('is NOT_FOUND once HasCollection agrees', async () => {
    const { loader } = loaderWith([LoadState.LoadStateNotExist], false);
    await expect(loader.load('gone', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND', message: "collection 'gone' not found" });
  });
});
