package model

import (
	"context"
	"iter"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
)

// ModelAdapter implements ModelManager over taishang-ai's gRPC ModelService.
type ModelAdapter struct {
	client *client.ModelClient
}

var _ ModelManager = (*ModelAdapter)(nil)

// NewModelAdapter adapts a ModelClient; closing the client stays the caller's job.
func NewModelAdapter(c *client.ModelClient) *ModelAdapter {
	return &ModelAdapter{client: c}
}

// RegisterModel adds a model; AlreadyExists when the name is taken.
func (a *ModelAdapter) RegisterModel(ctx context.Context, config ModelConfig) error {
	msg, err := configToPB(config)
	if err != nil {
		return err
	}
	return a.client.RegisterModel(ctx, msg)
}

// UnregisterModel removes a model; NotFound when there is none by that name.
func (a *ModelAdapter) UnregisterModel(ctx context.Context, name string) error {
	return a.client.UnregisterModel(ctx, name)
}

// ListModels returns every registered model.
func (a *ModelAdapter) ListModels(ctx context.Context) ([]ModelConfig, error) {
	msgs, err := a.client.ListModels(ctx)
	if err != nil {
		return nil, err
	}
	configs := make([]ModelConfig, len(msgs))
	for i, m := range msgs {
		configs[i] = configFromPB(m)
	}
	return configs, nil
}

// GetModelInfo returns one model's configuration.
func (a *ModelAdapter) GetModelInfo(ctx context.Context, name string) (*ModelConfig, error) {
	msg, err := a.client.GetModelInfo(ctx, name)
	if err != nil {
		return nil, err
	}
	config := configFromPB(msg)
	return &config, nil
}

// UpdateModelConfig replaces a model's configuration; an empty config.Name keeps the name.
func (a *ModelAdapter) UpdateModelConfig(ctx context.Context, name string, config ModelConfig) error {
	msg, err := configToPB(config)
	if err != nil {
		return err
	}
	return a.client.UpdateModelConfig(ctx, name, msg)
}

// GenerateText runs one generation. parameters: max_tokens, temperature, top_p, stop, seed.
func (a *ModelAdapter) GenerateText(ctx context.Context, modelName, prompt string, parameters map[string]any) (*GenerateResult, error) {
	params, err := wire.ToStruct("parameters", parameters)
	if err != nil {
		return nil, err
	}
	res, err := a.client.GenerateText(ctx, modelName, prompt, params)
	if err != nil {
		return nil, err
	}
	return &GenerateResult{Text: res.GetText(), TokensUsed: int(res.GetTokensUsed()), Metadata: wire.FromStruct(res.GetMetadata())}, nil
}

// GenerateEmbedding embeds one text.
func (a *ModelAdapter) GenerateEmbedding(ctx context.Context, modelName, text string) (*Embedding, error) {
	res, err := a.client.GenerateEmbedding(ctx, modelName, text)
	if err != nil {
		return nil, err
	}
	return &Embedding{Vector: res.GetEmbedding(), Dimension: int(res.GetDimension()), Metadata: wire.FromStruct(res.GetMetadata())}, nil
}

// GenerateEmbeddings embeds several texts in one call.
func (a *ModelAdapter) GenerateEmbeddings(ctx context.Context, modelName string, texts []string) (*Embeddings, error) {
	res, err := a.client.GenerateEmbeddings(ctx, modelName, texts)
	if err != nil {
		return nil, err
	}
	vectors := make([][]float32, len(res.GetEmbeddings()))
	for i, e := range res.GetEmbeddings() {
		vectors[i] = e.GetValues()
	}
	return &Embeddings{Vectors: vectors, Dimension: int(res.GetDimension()), Metadata: wire.FromStruct(res.GetMetadata())}, nil
}

// Rerank scores documents against query with a reranker model and returns them best first; topN
// cuts the answer (0: every document).
func (a *ModelAdapter) Rerank(ctx context.Context, modelName, query string, documents []string, topN int) (*Reranking, error) {
	n, err := wire.Int32("top_n", topN)
	if err != nil {
		return nil, err
	}
	res, err := a.client.Rerank(ctx, modelName, query, documents, n)
	if err != nil {
		return nil, err
	}
	results := make([]RerankResult, len(res.GetResults()))
	for i, r := range res.GetResults() {
		results[i] = RerankResult{Index: int(r.GetIndex()), Score: r.GetScore()}
	}
	return &Reranking{Results: results, Metadata: wire.FromStruct(res.GetMetadata())}, nil
}

// StreamGenerateText yields the generation as it is produced and ends after the Finished chunk.
// Cancelling ctx or leaving the loop early stops the generation on the server; a failure is
// yielded once as an error (codes.Canceled after a cancel).
func (a *ModelAdapter) StreamGenerateText(ctx context.Context, modelName, prompt string, parameters map[string]any) iter.Seq2[Chunk, error] {
	params, err := wire.ToStruct("parameters", parameters)
	if err != nil {
		return func(yield func(Chunk, error) bool) { yield(Chunk{}, err) }
	}
	stream := a.client.StreamGenerateText(ctx, modelName, prompt, params)
	return func(yield func(Chunk, error) bool) {
		for msg, err := range stream {
			if err != nil {
				yield(Chunk{}, err)
				return
			}
			chunk := Chunk{Text: msg.GetTextChunk(), Finished: msg.GetFinished(), Metadata: wire.FromStruct(msg.GetMetadata())}
			if !yield(chunk, nil) {
				return
			}
		}
	}
}

func configToPB(c ModelConfig) (*pb.ModelConfig, error) {
	params, err := wire.ToStruct("config.parameters", c.Parameters)
	if err != nil {
		return nil, err
	}
	return &pb.ModelConfig{Name: c.Name, Provider: c.Provider, ModelId: c.ModelID, Parameters: params, Enabled: c.Enabled}, nil
}

func configFromPB(m *pb.ModelConfig) ModelConfig {
	return ModelConfig{Name: m.GetName(), Provider: m.GetProvider(), ModelID: m.GetModelId(), Parameters: wire.FromStruct(m.GetParameters()), Enabled: m.GetEnabled()}
}
