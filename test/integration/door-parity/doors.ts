import { ClientError, Status } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { postForEvents, readSse } from '../../support/sse-client';
import type { RestAnswer, RestTestServer } from '../../support/rest-test-server';
import type { Call, IndexParams, ModelConfigIn, VectorIn } from './calls';
import type { GrpcClients } from './parity-app';

/**
 * A call's answer in domain-ish terms, whichever door gave it. A refusal keeps the raw status
 * (gRPC code or HTTP status) so the case table can check it against CONVENTIONS.md's table, and
 * the code's name as the door reported it (gRPC: the status; REST: problem+json's `code`).
 */
export type Outcome =
  | { ok: true; result: any }
  | { ok: false; status: number; code: string; fields: string[]; detail: string };

export type StreamCall = Extract<Call, { op: 'streamText' }>;

export interface Door {
  readonly name: 'grpc' | 'rest';
  run(call: Call): Promise<Outcome>;
  /** Reads a generation stream and walks away after `pieces` text messages; answers what the client saw end it. */
  abandonStream(call: StreamCall, pieces: number): Promise<string>;
}

/** Reads `messages` until `pieces` carried text, then aborts; the name of what ended the loop ('AbortError' when the abort did). */
async function abandon<T>(open: (signal: AbortSignal) => AsyncIterable<T>, hasText: (m: T) => boolean, pieces: number): Promise<string> {
  const controller = new AbortController();
  let received = 0;
  try {
    for await (const m of open(controller.signal)) {
      received += hasText(m) ? 1 : 0;
      if (received === pieces) controller.abort();
    }
    return 'completed';
  } catch (error) {
    return (error as Error).name;
  }
}

/** A generation stream, reduced: its text, how many text messages carried it, the closing metadata. */
function streamed(events: { text: string; finished: boolean; metadata?: unknown }[]) {
  const last = events.at(-1);
  expect(last).toMatchObject({ finished: true, text: '' });
  for (const e of events.slice(0, -1)) expect(e).toEqual({ text: expect.any(String), finished: false, metadata: undefined });
  return { text: events.map((e) => e.text).join(''), pieces: events.length - 1, metadata: last!.metadata };
}

// ---------------------------------------------------------------- gRPC

function grpcIndex(p: IndexParams | undefined) {
  return p === undefined ? undefined : { indexType: p.indexType, metricType: p.metricType, params: p.params };
}

function grpcConfig(c: ModelConfigIn | undefined) {
  return c === undefined ? undefined : { name: c.name, provider: c.provider, modelId: c.modelId, parameters: c.parameters, enabled: c.enabled };
}

function fromGrpcConfig(c: { name: string; provider: string; modelId: string; parameters?: Record<string, unknown>; enabled: boolean } | undefined) {
  return c === undefined ? undefined : { name: c.name, provider: c.provider, modelId: c.modelId, parameters: c.parameters, enabled: c.enabled };
}

/** proto3's '' is REST's absent text. */
function withText(text: string): { text?: string } {
  return text === '' ? {} : { text };
}

/** What a seed RPC answering `{success, message}` says, with `success` checked on the way. */
function said(answer: { success: boolean; message: string }) {
  expect(answer.success).toBe(true);
  return { message: answer.message };
}

async function grpcAnswer(c: GrpcClients, call: Call): Promise<unknown> {
  const v = c.vectors;
  const m = c.models;
  switch (call.op) {
    case 'createCollection':
      return said(
        await v.createCollection({ name: call.name, description: call.description, vectorDim: call.vectorDim, indexParams: grpcIndex(call.indexParams), embeddingModel: call.embeddingModel }),
      );
    case 'dropCollection':
      return v.dropCollection({ name: call.name });
    case 'hasCollection':
      return v.hasCollection({ name: call.name });
    case 'listCollections':
      return v.listCollections({});
    case 'getCollectionInfo': {
      const info = await v.getCollectionInfo({ name: call.name });
      return { ...info, indexParams: { ...info.indexParams, params: info.indexParams?.params } };
    }
    case 'getCollectionStats':
      return v.getCollectionStats({ name: call.name });
    case 'createIndex':
      return v.createIndex({ collectionName: call.collection, indexParams: grpcIndex(call.indexParams) });
    case 'dropIndex':
      return v.dropIndex({ collectionName: call.collection });
    case 'hasIndex':
      return v.hasIndex({ collectionName: call.collection });
    case 'insert':
    case 'upsert': {
      const request = { collectionName: call.collection, vectors: call.vectors.map((x) => ({ ...x, vector: x.vector ?? [] })) };
      const answer = call.op === 'insert' ? await v.insert(request) : await v.upsert(request);
      return { ids: answer.ids, ...said(answer) };
    }
    case 'delete':
      return said(await v.delete({ collectionName: call.collection, ids: call.ids }));
    case 'search': {
      const o = call.options;
      const options = o === undefined ? undefined : { topk: o.topK, includeVector: o.includeVector, filter: o.filter, mode: o.mode, rrfK: o.rrfK, rerank: o.rerank };
      const { results } = await v.search({ collectionName: call.collection, queryVector: call.queryVector, queryText: call.queryText, options });
      // A repeated field cannot be absent: a hit sent without its vector carries an empty one (and '' is proto3's absent text).
      return { results: results.map((r) => ({ id: r.id, score: r.score, metadata: r.metadata, ...(r.vector.length > 0 ? { vector: r.vector } : {}), ...withText(r.text) })) };
    }
    case 'getById': {
      const { vector } = await v.getByID({ collectionName: call.collection, id: call.id });
      return { vector: vector && { id: vector.id, vector: vector.vector, metadata: vector.metadata, ...withText(vector.text) } };
    }
    case 'health':
      return v.health({});
    case 'compact':
      return v.compact({ collectionName: call.collection });
    case 'listVectors': {
      const answer = await v.listVectors({
        collectionName: call.collection,
        filter: call.filter,
        pageSize: call.pageSize,
        pageToken: call.pageToken,
        includeVector: call.includeVector,
      });
      // A repeated field cannot be absent: a vector listed without its values carries an empty list.
      const vectors = answer.vectors.map((r) => ({ id: r.id, metadata: r.metadata, ...(r.vector.length > 0 ? { vector: r.vector } : {}), ...withText(r.text) }));
      return { vectors, nextPageToken: answer.nextPageToken };
    }
    case 'countVectors':
      return v.countVectors({ collectionName: call.collection, filter: call.filter });
    case 'createAlias':
      return said(await v.createAlias({ alias: call.alias, collectionName: call.collection }));
    case 'alterAlias':
      return said(await v.alterAlias({ alias: call.alias, collectionName: call.collection }));
    case 'dropAlias':
      return said(await v.dropAlias({ alias: call.alias }));
    case 'listAliases':
      return v.listAliases({ collectionName: call.collection });
    case 'registerModel':
      return said(await m.registerModel({ config: grpcConfig(call.config) }));
    case 'unregisterModel':
      return m.unregisterModel({ name: call.name });
    case 'listModels':
      return { models: (await m.listModels({})).models.map(fromGrpcConfig) };
    case 'getModel':
      return { config: fromGrpcConfig((await m.getModelInfo({ name: call.name })).config) };
    case 'updateModel':
      return m.updateModelConfig({ name: call.name, config: grpcConfig(call.config) });
    case 'generateText':
      return m.generateText({ modelName: call.model, prompt: call.prompt, parameters: call.parameters });
    case 'streamText': {
      const events = [];
      for await (const e of m.streamGenerateText({ modelName: call.model, prompt: call.prompt, parameters: call.parameters })) {
        events.push({ text: e.textChunk, finished: e.finished, metadata: e.metadata });
      }
      return streamed(events);
    }
    case 'embed':
      return m.generateEmbedding({ modelName: call.model, text: call.text });
    case 'embedMany': {
      const answer = await m.generateEmbeddings({ modelName: call.model, texts: call.texts });
      return { ...answer, embeddings: answer.embeddings.map((e) => e.values) };
    }
    case 'rerank':
      return m.rerank({ modelName: call.model, query: call.query, documents: call.documents, topN: call.topN });
  }
}

/** The real gRPC client over loopback; `clients` is read per call, since a restart replaces them. */
export function grpcDoor(clients: () => GrpcClients): Door {
  return {
    name: 'grpc',
    async run(call) {
      try {
        return { ok: true, result: await grpcAnswer(clients(), call) };
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        const fields = error instanceof RichClientError
          ? error.extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations.map((f) => f.field) : []))
          : [];
        return { ok: false, status: error.code, code: Status[error.code], fields, detail: error.details };
      }
    },
    abandonStream(call, pieces) {
      const request = { modelName: call.model, prompt: call.prompt, parameters: call.parameters };
      return abandon((signal) => clients().models.streamGenerateText(request, { signal }), (m) => m.textChunk !== '', pieces);
    },
  };
}

// ---------------------------------------------------------------- REST

const enc = encodeURIComponent;

/** JSON with ±Infinity written as ±1e999, which JSON.parse reads back as ±Infinity (NaN has no JSON at all). */
function json(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v === Infinity ? '\u0000+inf' : v === -Infinity ? '\u0000-inf' : v));
  return text.replace(/"\\u0000\+inf"/g, '1e999').replace(/"\\u0000-inf"/g, '-1e999');
}

function restIndex(p: IndexParams | undefined) {
  return p === undefined ? undefined : { index_type: p.indexType, metric_type: p.metricType, params: p.params };
}

function restVectors(vectors: VectorIn[]) {
  return vectors.map((x) => ({ id: x.id, vector: x.vector, metadata: x.metadata, text: x.text }));
}

function restConfig(c: ModelConfigIn) {
  return { name: c.name, provider: c.provider, model_id: c.modelId, parameters: c.parameters, enabled: c.enabled };
}

function fromRestConfig(c: { name: string; provider: string; model_id: string; parameters: Record<string, unknown>; enabled: boolean }) {
  return { name: c.name, provider: c.provider, modelId: c.model_id, parameters: c.parameters, enabled: c.enabled };
}

/** method, path, body (undefined: none), the status a success answers with, and how its body reads in the table's terms. */
type RestRequest = [method: string, path: string, body: unknown, ok: number, read: (body: any, answer: RestAnswer) => unknown];

const C = (name: string) => `/v1/collections/${enc(name)}`;
/** A query string of the parameters given (absent ones left out, as gRPC sends them as defaults). */
const query = (params: Record<string, string | number | boolean | undefined>) => {
  const given = Object.entries(params).filter(([, v]) => v !== undefined);
  return given.length === 0 ? '' : `?${given.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}`;
};
const M = (name: string) => `/v1/models/${enc(name)}`;
const asIs = (body: unknown) => body;

function restRequest(call: Call): RestRequest {
  switch (call.op) {
    case 'createCollection': {
      const body = { name: call.name, description: call.description, vector_dim: call.vectorDim, index_params: restIndex(call.indexParams), embedding_model: call.embeddingModel };
      return ['POST', '/v1/collections', body, 201, (b, answer) => {
        expect(answer.headers.get('location')).toBe(C(call.name));
        return said(b);
      }];
    }
    case 'dropCollection':
      return ['DELETE', C(call.name), undefined, 200, said];
    case 'hasCollection':
      // HEAD: 200 or 404 and never a body; either is an answer, not a refusal.
      return ['HEAD', C(call.name), undefined, 200, (_b, answer) => ({ exists: answer.status === 200 })];
    case 'listCollections':
      return ['GET', '/v1/collections', undefined, 200, asIs];
    case 'getCollectionInfo':
      return ['GET', C(call.name), undefined, 200, (b) => ({
        name: b.name,
        description: b.description,
        vectorDim: b.vector_dim,
        indexParams: { indexType: b.index_params.index_type, metricType: b.index_params.metric_type, params: b.index_params.params },
        createdAt: b.created_at,
        updatedAt: b.updated_at,
        ...(b.embedding_model === undefined
          ? {}
          : { embeddingModel: { name: b.embedding_model.name, provider: b.embedding_model.provider, modelId: b.embedding_model.model_id, weights: b.embedding_model.weights, dimension: b.embedding_model.dimension } }),
      })];
    case 'getCollectionStats':
      return ['GET', `${C(call.name)}/stats`, undefined, 200, (b) => ({ name: b.name, vectorCount: b.vector_count, sizeInBytes: b.size_in_bytes })];
    case 'createIndex':
      return ['PUT', `${C(call.collection)}/index`, { index_params: restIndex(call.indexParams) }, 200, said];
    case 'dropIndex':
      return ['DELETE', `${C(call.collection)}/index`, undefined, 200, said];
    case 'hasIndex':
      return ['GET', `${C(call.collection)}/index`, undefined, 200, asIs];
    case 'insert':
    case 'upsert':
      return [call.op === 'insert' ? 'POST' : 'PUT', `${C(call.collection)}/vectors`, { vectors: restVectors(call.vectors) }, 200, (b) => ({ ids: b.ids, ...said(b) })];
    case 'delete':
      return ['POST', `${C(call.collection)}/vectors/delete`, { ids: call.ids }, 200, said];
    case 'search': {
      const o = call.options;
      const options = o === undefined ? undefined : { topk: o.topK, include_vector: o.includeVector, filter: o.filter, mode: o.mode, rrf_k: o.rrfK, rerank: o.rerank };
      return ['POST', `${C(call.collection)}/search`, { query_vector: call.queryVector, query_text: call.queryText, options }, 200, asIs];
    }
    case 'getById':
      return ['GET', `${C(call.collection)}/vectors/${enc(call.id)}`, undefined, 200, asIs];
    case 'health':
      return ['GET', '/v1/health', undefined, 200, asIs];
    case 'compact':
      return ['POST', `${C(call.collection)}/compact`, undefined, 200, said];
    case 'listVectors': {
      const read = (b: any) => ({ vectors: b.vectors, nextPageToken: b.next_page_token });
      // Without a filter the GET form with the query string; with one, the POST form.
      if (call.filter === undefined) return ['GET', `${C(call.collection)}/vectors${query({ page_size: call.pageSize, page_token: call.pageToken, include_vector: call.includeVector })}`, undefined, 200, read];
      const body = { filter: call.filter, page_size: call.pageSize, page_token: call.pageToken, include_vector: call.includeVector };
      return ['POST', `${C(call.collection)}/vectors/list`, body, 200, read];
    }
    case 'countVectors':
      return call.filter === undefined ? ['GET', `${C(call.collection)}/count`, undefined, 200, asIs] : ['POST', `${C(call.collection)}/count`, { filter: call.filter }, 200, asIs];
    case 'createAlias':
      return ['POST', '/v1/aliases', { alias: call.alias, collection_name: call.collection }, 201, (b, answer) => {
        expect(answer.headers.get('location')).toBe(`/v1/aliases/${enc(call.alias)}`);
        return said(b);
      }];
    case 'alterAlias':
      return ['PUT', `/v1/aliases/${enc(call.alias)}`, { collection_name: call.collection }, 200, said];
    case 'dropAlias':
      return ['DELETE', `/v1/aliases/${enc(call.alias)}`, undefined, 200, said];
    case 'listAliases':
      return ['GET', `/v1/aliases${query({ collection_name: call.collection })}`, undefined, 200, (b) => ({
        aliases: b.aliases.map((a: { alias: string; collection_name: string }) => ({ alias: a.alias, collectionName: a.collection_name })),
      })];
    case 'registerModel':
      return ['POST', '/v1/models', call.config === undefined ? {} : { config: restConfig(call.config) }, 201, (b, answer) => {
        expect(answer.headers.get('location')).toBe(M(call.config!.name!));
        return said(b);
      }];
    case 'unregisterModel':
      return ['DELETE', M(call.name), undefined, 200, said];
    case 'listModels':
      return ['GET', '/v1/models', undefined, 200, (b) => ({ models: b.models.map(fromRestConfig) })];
    case 'getModel':
      return ['GET', M(call.name), undefined, 200, (b) => ({ config: fromRestConfig(b.config) })];
    case 'updateModel':
      return ['PUT', M(call.name), { config: restConfig(call.config) }, 200, said];
    case 'generateText':
      return ['POST', `${M(call.model)}/generate`, { prompt: call.prompt, parameters: call.parameters }, 200, (b) => ({ text: b.text, tokensUsed: b.tokens_used, metadata: b.metadata })];
    case 'streamText':
      throw new Error('streams are read by restStream');
    case 'embed':
      return ['POST', `${M(call.model)}/embed`, { text: call.text }, 200, asIs];
    case 'embedMany':
      return ['POST', `${M(call.model)}/embeddings`, { texts: call.texts }, 200, asIs];
    case 'rerank':
      return ['POST', `${M(call.model)}/rerank`, { query: call.query, documents: call.documents, top_n: call.topN }, 200, asIs];
  }
}

function refusal(status: number, contentType: string | null, problem: any): Outcome {
  expect(contentType).toBe('application/problem+json; charset=utf-8');
  expect(problem).toMatchObject({ type: 'about:blank', status, title: expect.any(String) });
  const fields = ((problem.errors ?? []) as { field: string }[]).map((e) => e.field);
  return { ok: false, status, code: problem.code, fields, detail: problem.detail };
}

/** StreamGenerateText over SSE: a refusal before the first event is problem+json; after it, an `error` event. */
async function restStream(server: RestTestServer, call: Extract<Call, { op: 'streamText' }>): Promise<Outcome> {
  const response = await fetch(`${server.baseUrl}${M(call.model)}/generate/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: json({ prompt: call.prompt, parameters: call.parameters }),
  });
  if (response.status !== 200) return refusal(response.status, response.headers.get('content-type'), await response.json());
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const events = [];
  for await (const e of readSse(response.body!)) {
    if (e.event === 'error') return refusal(e.data.status, 'application/problem+json; charset=utf-8', e.data);
    expect(e.event).toBe('message');
    events.push({ text: e.data.text_chunk, finished: e.data.finished, metadata: e.data.metadata });
  }
  return { ok: true, result: streamed(events) };
}

/** Real HTTP over loopback (fetch); `server` is read per call, since a restart replaces it. */
export function restDoor(server: () => RestTestServer): Door {
  return {
    name: 'rest',
    async run(call) {
      if (call.op === 'streamText') return restStream(server(), call);
      const [method, path, body, ok, read] = restRequest(call);
      const answer = await server().call(method, path, body === undefined ? {} : { raw: json(body) });
      if (call.op === 'hasCollection' && answer.status === 404) {
        expect(answer.text).toBe('');
        return { ok: true, result: read(undefined, answer) };
      }
      if (answer.status === ok) return { ok: true, result: read(answer.body, answer) };
      if (method === 'HEAD') throw new Error(`HEAD ${path} answered ${answer.status}, which carries no problem to read`);
      return refusal(answer.status, answer.headers.get('content-type'), answer.body);
    },
    abandonStream(call, pieces) {
      const url = `${server().baseUrl}${M(call.model)}/generate/stream`;
      const events = async function* (signal: AbortSignal) {
        const response = await postForEvents(url, { prompt: call.prompt, parameters: call.parameters }, signal);
        yield* readSse(response.body!);
      };
      return abandon(events, (e) => e.data.finished === false, pieces);
    },
  };
}
