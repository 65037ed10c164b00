export { LanceVectorStore, type LanceStoreOptions } from './lance-vector-store';
export type { EngineStats, LanceLogger } from './lance-collection';
export type { LanceActivity, EngineStep } from './lance-activity';
