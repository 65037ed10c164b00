import { Readable } from 'node:stream';
import { OPERATION_ACCESS, limits, type SnapshotService } from '../../domain';
import type { HttpApp } from '../http-app-type';
import { queryValidatorCompiler } from '../query-validation';
import { callOptions } from '../request-signal';
import { CollectionNameParams } from '../schemas/common-schemas';
import { problemResponses } from '../schemas/problem-schemas';
import { ImportSnapshotQuery, ImportSnapshotResponse, SNAPSHOT_MEDIA_TYPE, SNAPSHOT_UPLOAD_TYPES, SnapshotFileResponse } from '../schemas/snapshot-schemas';

const tags = ['snapshots'];

/**
 * ExportSnapshot (download) and ImportSnapshot (upload), both streamed. Registered in a scope of
 * their own: the snapshot media types are parsed as a raw stream here only, so every other route
 * still answers 415 to anything but JSON.
 */
export async function snapshotRoutes(app: HttpApp, snapshots: SnapshotService): Promise<void> {
  // Not fastify-plugin wrapped: the scope's parsers must not leak to the app.
  await app.register(async (scope: HttpApp) => {
    scope.removeAllContentTypeParsers();
    for (const type of SNAPSHOT_UPLOAD_TYPES) scope.addContentTypeParser(type, (_request, payload, done) => done(null, payload));

    scope.get(
      '/v1/collections/:name/snapshot',
      {
        config: { access: OPERATION_ACCESS['VectorService.ExportSnapshot'] },
        validatorCompiler: queryValidatorCompiler,
        schema: {
          operationId: 'exportSnapshot',
          tags,
          summary: 'Download a collection as a snapshot file',
          description:
            'ExportSnapshot: the declaration and every record, streamed in bounded memory. 404 if the collection does not exist. ' +
            'A failure after the first byte (the collection dropped meanwhile) ends the body early: the file then lacks its trailer and an import refuses it.',
          params: CollectionNameParams,
          response: { 200: SnapshotFileResponse, ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const file = await snapshots.exportCollection(request.params.name, callOptions(request));
        return reply
          .type(SNAPSHOT_MEDIA_TYPE)
          .header('content-disposition', `attachment; filename="${request.params.name}.tssnap"`)
          .send(Readable.from(file, { objectMode: false }));
      },
    );

    scope.post(
      '/v1/collections/:name/snapshot',
      {
        config: { access: OPERATION_ACCESS['VectorService.ImportSnapshot'] },
        // Streamed, never buffered: the limit bounds the disk an import fills (docs/API.md, "Limits").
        bodyLimit: limits.maxSnapshotBytes,
        validatorCompiler: queryValidatorCompiler,
        schema: {
          operationId: 'importSnapshot',
          tags,
          summary: 'Upload a snapshot file as a collection',
          description:
            'ImportSnapshot into the collection named in the path. Nothing is stored unless the whole file verifies: 400 DATA_LOSS for a ' +
            'truncated file or a damaged frame, 400 INVALID_ARGUMENT for bytes that are not a snapshot or records the collection refuses; ' +
            '409 if the name exists and replace is not true; 413 over the size limit. Answers 201 with a Location header.',
          params: CollectionNameParams,
          querystring: ImportSnapshotQuery,
          response: { 201: ImportSnapshotResponse, ...problemResponses(400, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const body = (request.body ?? Readable.from([])) as AsyncIterable<Uint8Array>;
        const done = await snapshots.importSnapshot({ collectionName: request.params.name, replace: request.query.replace }, body, callOptions(request));
        return reply
          .code(201)
          .header('location', `/v1/collections/${encodeURIComponent(done.collection)}`)
          .send({ success: true, message: done.message, collection_name: done.collection, record_count: done.records });
      },
    );
  });
}
