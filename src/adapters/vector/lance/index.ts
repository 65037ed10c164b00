export { LanceVectorStore, type LanceStoreOptions } from './lance-vector-store';
export type { EngineStats, LanceLogger } from './lance-collection';
