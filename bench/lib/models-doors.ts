import { Agent, request } from 'node:http';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { ModelServiceDefinition, type ModelServiceClient } from '../../src/gen/taishang/ai/v1/model_service';

/** One way into the service for embeddings: a call with 1 text or with many. */
export interface EmbedDoor {
  readonly name: 'grpc' | 'rest';
  /** Resolves with the number of vectors received (checked by the caller). */
  embed(texts: string[]): Promise<number>;
  close(): void;
}

/** GenerateEmbedding for one text (the single-text RPC), GenerateEmbeddings for more. */
export function grpcEmbedDoor(address: string, model: string): EmbedDoor & { client: ModelServiceClient } {
  const channel: Channel = createChannel(address);
  const client = createClient(ModelServiceDefinition, channel);
  return {
    name: 'grpc',
    client,
    async embed(texts) {
      if (texts.length === 1) {
        const r = await client.generateEmbedding({ modelName: model, text: texts[0]! });
        return r.embedding.length > 0 ? 1 : 0;
      }
      const r = await client.generateEmbeddings({ modelName: model, texts });
      return r.embeddings.length;
    },
    close: () => channel.close(),
  };
}

/**
 * POST /embed for one text, /embeddings for more, over node:http with keep-alive: one socket per
 * concurrent caller, reused, so connection set-up is not measured. node:http rather than fetch
 * keeps the client's own CPU cost low on a machine the service shares.
 */
export function restEmbedDoor(base: string, model: string, maxSockets: number): EmbedDoor {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(base);
  const prefix = `/v1/models/${encodeURIComponent(model)}`;
  return {
    name: 'rest',
    async embed(texts) {
      if (texts.length === 1) {
        const body = (await postJson(agent, url, `${prefix}/embed`, { text: texts[0] })) as { embedding?: number[] };
        return body.embedding && body.embedding.length > 0 ? 1 : 0;
      }
      const body = (await postJson(agent, url, `${prefix}/embeddings`, { texts })) as { embeddings?: number[][] };
      return body.embeddings?.length ?? 0;
    },
    close: () => agent.destroy(),
  };
}

function postJson(agent: Agent, url: URL, path: string, payload: unknown): Promise<unknown> {
  const data = Buffer.from(JSON.stringify(payload));
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': data.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 300)}`));
          else resolve(JSON.parse(text));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
