import { Type } from '@sinclair/typebox';
import { RequestBody } from './common-schemas';

/** The media type of a snapshot file (docs/API.md, "Snapshots"); uploads may also say application/octet-stream. */
export const SNAPSHOT_MEDIA_TYPE = 'application/vnd.taishang.snapshot';
export const SNAPSHOT_UPLOAD_TYPES = [SNAPSHOT_MEDIA_TYPE, 'application/octet-stream'] as const;

/** What a file begins with, as the binary media types' example (a real file is frames of binary data). */
const FILE_EXAMPLE = 'TSSNAP\u0000\u0001H…';

const fileDoc =
  'A snapshot file: "TSSNAP" and format version 1, then frames (kind, length, payload, SHA-256): a JSON header with the ' +
  "collection's declaration, chunks of records as Arrow IPC streams, and a JSON trailer with the record count and a digest (docs/API.md).";

export const ImportSnapshotQuery = RequestBody(
  {
    replace: Type.Optional(
      Type.Boolean({ description: 'Replace an existing collection of this name once the whole file verified; otherwise an existing name is 409. Default false.' }),
    ),
  },
  { description: 'ImportSnapshotRequest options (collection_name is in the path).' },
);

export const ImportSnapshotResponse = Type.Object(
  {
    success: Type.Boolean({ description: 'Always true: failures are problem+json errors.' }),
    message: Type.String({ description: 'A short summary.' }),
    collection_name: Type.String({ description: 'The collection the records were imported into.' }),
    record_count: Type.Integer({ description: 'Records imported.', minimum: 0 }),
  },
  { description: 'The snapshot verified and its collection is visible under its name.', examples: [{ success: true, message: "imported 2 vectors into collection 'articles'", collection_name: 'articles', record_count: 2 }] },
);

/** The download's 200 answer: the file itself, streamed. */
export const SnapshotFileResponse = {
  description: `ExportSnapshot. ${fileDoc}`,
  content: { [SNAPSHOT_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' }, example: FILE_EXAMPLE } },
};

/**
 * The upload's request body as OpenAPI states it. The route reads the body as a stream (never
 * buffered), so it is documented here rather than validated as a schema (openapi.ts adds it).
 */
export const SNAPSHOT_REQUEST_BODY = {
  required: true,
  description: fileDoc,
  content: Object.fromEntries(SNAPSHOT_UPLOAD_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' }, example: FILE_EXAMPLE }])),
};
