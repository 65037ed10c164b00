import { Agent, request } from 'node:http';

/**
 * REST Search over keep-alive HTTP/1.1 connections (one per concurrent caller, reused across
 * calls). node:http rather than fetch: fetch spends noticeably more client CPU per call, and on a
 * 2-core machine the client's CPU is taken from the service being measured.
 */
export interface RestDoor {
  /** Ids of the top-k hits of query `i` (bodies are serialised once, up front). */
  search(i: number): Promise<string[]>;
  close(): void;
}

export function openRestDoor(host: string, port: number, collection: string, queries: readonly number[][], topK: number): RestDoor {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const path = `/v1/collections/${encodeURIComponent(collection)}/search`;
  const bodies = queries.map((q) => Buffer.from(JSON.stringify({ query_vector: q, options: { topk: topK } })));
  return {
    search(i) {
      const body = bodies[i % bodies.length]!;
      return new Promise<string[]>((resolve, reject) => {
        const req = request(
          { agent, host, port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode !== 200) return reject(new Error(`REST search answered ${String(res.statusCode)}: ${text.slice(0, 300)}`));
              const { results } = JSON.parse(text) as { results: { id: string }[] };
              resolve(results.map((r) => r.id));
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
