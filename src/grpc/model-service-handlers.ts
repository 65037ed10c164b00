import type { ModelService } from '../domain';
import type { ModelServiceImplementation } from '../gen/taishang/ai/v1/model_service';
import { embeddingOut, embeddingsOut, generateTextOut, modelConfigIn, modelConfigOut, rerankOut, textChunkOut } from './model-wire';

/**
 * The 10 ModelService RPCs: each converts the request, makes one domain call and converts back.
 * Model calls get the call's signal (it fires on client cancel and on an expired deadline), which
 * the provider honours by stopping generation. Errors are left to the error-mapping middleware.
 * Update and Unregister answer google.protobuf.Empty, so the domain's summary has no field there.
 */
export function modelServiceHandlers(models: ModelService): ModelServiceImplementation {
  return {
    async registerModel(req) {
      const done = await models.register(modelConfigIn(req.config));
      return { success: true, message: done.message };
    },

    async unregisterModel(req) {
      await models.unregister(req.name);
      return {};
    },

    async listModels() {
      return { models: models.list().map(modelConfigOut) };
    },

    async getModelInfo(req) {
      return { config: modelConfigOut(models.get(req.name)) };
    },

    async updateModelConfig(req) {
      await models.update(req.name, modelConfigIn(req.config));
      return {};
    },

    async generateText(req, { signal }) {
      return generateTextOut(await models.generateText(req.modelName, req.prompt, req.parameters, { signal }));
    },

    async generateEmbedding(req, { signal }) {
      return embeddingOut(await models.embedOne(req.modelName, req.text, { signal }));
    },

    async generateEmbeddings(req, { signal }) {
      return embeddingsOut(await models.embed(req.modelName, req.texts, { signal }));
    },

    /** top_n passes as sent: proto3's 0 is the domain's "every document". */
    async rerank(req, { signal }) {
      return rerankOut(await models.rerank(req.modelName, req.query, req.documents, { topN: req.topN, signal }));
    },

    /**
     * Bad input fails the call before any message (the domain validates on the first pull). After a
     * cancel, nice-grpc keeps pulling this generator, so it stops itself once the signal fired
     * rather than draining whatever the provider still hands over.
     */
    async *streamGenerateText(req, { signal }) {
      for await (const chunk of models.streamGenerateText(req.modelName, req.prompt, req.parameters, { signal })) {
        if (signal.aborted) return;
        yield textChunkOut(chunk);
      }
    },
  };
}
