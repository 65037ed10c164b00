// Package model is the Go backend's view of taishang-ai's models: the ModelManager interface and
// ModelAdapter, which implements it over the gRPC ModelService (client.ModelClient). Parameters
// and metadata are plain map[string]any; errors are gRPC status errors.
package model

import (
	"context"
	"iter"
)

// The providers the service knows.
const (
	ProviderTransformers = "transformers" // local ONNX embedding and reranker models (transformers.js)
	ProviderLlamaCpp     = "llamacpp"     // local GGUF generation and reranker models (llama.cpp)
	ProviderOpenAI       = "openai"       // any OpenAI-compatible server
)

// ModelConfig is one registry entry. Parameters holds provider settings (base_url, api_key_env,
// dimensions, context_size, generation defaults...). Enabled must be true for the model to answer.
type ModelConfig struct {
	Name       string
	Provider   string
	ModelID    string
	Parameters map[string]any
	Enabled    bool
}

// GenerateResult is one generation. Metadata carries prompt_tokens, completion_tokens,
// finish_reason ("stop" | "length") and model.
type GenerateResult struct {
	Text       string
	TokensUsed int
	Metadata   map[string]any
}

// Embedding is one text's vector (unit length).
type Embedding struct {
	Vector    []float32
	Dimension int
	Metadata  map[string]any
}

// Embeddings are several texts' vectors, in input order.
type Embeddings struct {
	Vectors   [][]float32
	Dimension int
	Metadata  map[string]any
}

// RerankResult is one scored document: Index is its position in the documents passed to Rerank.
// Higher scores are more relevant; the scale is the model's (docs/MODELS.md).
type RerankResult struct {
	Index int
	Score float32
}

// Reranking is Rerank's answer: Results best first (equal scores by index). Metadata carries
// model, truncated (per document, in input order) and tokens_used when the provider counts.
type Reranking struct {
	Results  []RerankResult
	Metadata map[string]any
}

// Chunk is one message of a streamed generation: a piece of text, or (Finished) the last
// message, whose Metadata holds the totals of GenerateResult.Metadata plus tokens_used.
type Chunk struct {
	Text     string
	Finished bool
	Metadata map[string]any
}

// ModelManager is what the Go backend needs from a model service.
type ModelManager interface {
	RegisterModel(ctx context.Context, config ModelConfig) error
	UnregisterModel(ctx context.Context, name string) error
	ListModels(ctx context.Context) ([]ModelConfig, error)
	GetModelInfo(ctx context.Context, name string) (*ModelConfig, error)
	UpdateModelConfig(ctx context.Context, name string, config ModelConfig) error

	GenerateText(ctx context.Context, modelName, prompt string, parameters map[string]any) (*GenerateResult, error)
	GenerateEmbedding(ctx context.Context, modelName, text string) (*Embedding, error)
	GenerateEmbeddings(ctx context.Context, modelName string, texts []string) (*Embeddings, error)
	Rerank(ctx context.Context, modelName, query string, documents []string, topN int) (*Reranking, error)
	StreamGenerateText(ctx context.Context, modelName, prompt string, parameters map[string]any) iter.Seq2[Chunk, error]
}
