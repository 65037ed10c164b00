export { MilvusVectorStore, type MilvusStoreOptions } from './milvus-vector-store';
export type { MilvusLogger } from './milvus-connection';
