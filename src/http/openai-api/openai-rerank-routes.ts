import { randomUUID } from 'node:crypto';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { modelLimits, NON_BLANK_PATTERN, OPERATION_ACCESS, type ModelService, type Reranking } from '../../domain';
import { errors } from '../../errors';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { checkedByDomain, RequestBody } from '../schemas/common-schemas';
import { openAiErrorResponses } from './openai-errors';
import { modelRule } from './openai-schemas';

/**
 * POST /openai/v1/rerank: the Cohere/Jina rerank shape that RAG frameworks (LangChain, LlamaIndex,
 * Dify, ...) and servers (vLLM, llama.cpp, LocalAI, Jina) speak, over ModelService.rerank.
 * Registered inside the OpenAI scope (openai-routes.ts), so its errors use that body too.
 */

function Nullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()], { description: schema.description, examples: schema.examples }));
}

const example = {
  model: 'all-MiniLM-L6-v2-rerank',
  query: 'The weather is lovely today.',
  documents: ['He drove to the stadium.', "It's so sunny outside!"],
  top_n: 1,
  return_documents: true,
};

/** A query's or document's rule, as the domain checks it. */
const documentRule = { pattern: NON_BLANK_PATTERN, maxLength: modelLimits.maxRerankTextBytes };

export const RerankBody = RequestBody(
  {
    model: Type.String({ description: 'A reranker model name from GET /openai/v1/models.', examples: [example.model], ...modelRule }),
    query: Type.String({ description: 'Not blank, at most 64 KiB.', examples: [example.query], ...checkedByDomain(documentRule) }),
    documents: Type.Array(Type.Unknown(), {
      description: '1..1000 documents, each a string or an object with a `text` string (Jina, Cohere v1), not blank and at most 64 KiB; 4 MiB in all.',
      examples: [example.documents],
      // The door reads the two shapes itself (documentTexts), so the rule is declared, not validated.
      ...checkedByDomain({
        minItems: 1,
        maxItems: modelLimits.maxRerankDocuments,
        items: { anyOf: [{ type: 'string', ...documentRule }, { type: 'object', required: ['text'], properties: { text: { type: 'string', ...documentRule } } }] },
      }),
    }),
    top_n: Nullable(
      Type.Integer({
        description: 'How many results, best first: 0..1000; absent, null or 0 returns every document, as does a value above their count.',
        ...checkedByDomain({ minimum: 0, maximum: modelLimits.maxRerankDocuments }),
      }),
    ),
    return_documents: Nullable(Type.Boolean({ description: 'Echo each result\'s document as `{text}`. Default false (Cohere\'s).' })),
  },
  { description: 'A Cohere/Jina rerank request.', examples: [example] },
);

export const RerankAnswer = Type.Object(
  {
    id: Type.String(),
    model: Type.String(),
    results: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'Position of the document in the request.' }),
        relevance_score: Type.Number({ description: "The model's score (docs/MODELS.md: 0..1 for cross-encoders and GGUF rerankers, cosine -1..1 for a bi-encoder)." }),
        document: Type.Optional(Type.Object({ text: Type.String() }, { description: 'With return_documents=true.' })),
      }),
      { description: 'Best first; equal scores by index.' },
    ),
    usage: Type.Object(
      { prompt_tokens: Type.Integer(), total_tokens: Type.Integer() },
      { description: 'Tokens the model read; 0 from a provider that does not count them.' },
    ),
  },
  {
    description: 'A Cohere/Jina rerank response.',
    examples: [{ id: 'rerank-5f0c2b0e', model: example.model, results: [{ index: 1, relevance_score: 0.666, document: { text: example.documents[1] } }], usage: { prompt_tokens: 27, total_tokens: 27 } }],
  },
);

/** A document as Jina and Cohere v1 accept it: a string, or `{text}`. Emptiness and sizes are the domain's. */
export function documentTexts(documents: unknown[]): string[] {
  return documents.map((d, i) => {
    if (typeof d === 'string') return d;
    const text = (d as { text?: unknown } | null)?.text;
    if (d !== null && typeof d === 'object' && !Array.isArray(d) && typeof text === 'string') return text;
    throw errors.invalidArgument(`documents[${i}]`, 'must be a string or an object with a text string');
  });
}

export function rerankAnswer(body: Static<typeof RerankBody>, texts: string[], reranking: Reranking): Static<typeof RerankAnswer> {
  const tokens = reranking.tokens ?? 0;
  return {
    id: `rerank-${randomUUID()}`,
    model: body.model,
    results: reranking.results.map((r) => ({
      index: r.index,
      relevance_score: r.score,
      ...(body.return_documents === true ? { document: { text: texts[r.index]! } } : {}),
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export function openAiRerankRoutes(scope: HttpApp, models: ModelService): void {
  scope.post(
    '/rerank',
    {
      config: { access: OPERATION_ACCESS['ModelService.Rerank'] },
      schema: {
        operationId: 'openaiRerank',
        tags: ['openai'],
        summary: 'Rerank documents (Cohere/Jina-compatible)',
        description:
          'Scores each document against the query with a reranker model and answers the best first, as Cohere\'s and Jina\'s /rerank do. ' +
          '400 for an empty query or document, no documents, top_n outside 0..1000, or a model that is not a reranker; 413 above 1000 documents or the size limits; 404 model_not_found.',
        body: RerankBody,
        response: { 200: RerankAnswer, ...openAiErrorResponses(400, 404, 413, 415, 429, 504) },
      },
    },
    async (request) => {
      const { body } = request;
      const texts = documentTexts(body.documents);
      const reranking = await models.rerank(body.model, body.query, texts, { ...callOptions(request), topN: body.top_n ?? undefined });
      return rerankAnswer(body, texts, reranking);
    },
  );
}
