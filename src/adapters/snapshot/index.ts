export { ArrowRecordChunkCodec, ARROW_CHUNK_FORMAT } from './arrow-record-chunk-codec';
