export { MemoryVectorStore, score } from './memory-vector-store';
