package integration

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/model"
	"google.golang.org/grpc/codes"
)

// greedy makes generation deterministic, so a stream and a unary call can be compared.
var greedy = map[string]any{"temperature": 0, "seed": 7}

func params(extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range greedy {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// RegisterModel, ListModels, GetModelInfo, UpdateModelConfig (disable, rename), UnregisterModel.
func TestModelRegistry(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	all, err := models.ListModels(ctx)
	must(t, err)
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	if !slices.Contains(names, embeddingModel) || !slices.Contains(names, textModel) || !slices.Contains(names, rerankModel) {
		t.Fatalf("ListModels = %v, want the default models", names)
	}
	base, err := models.GetModelInfo(ctx, embeddingModel)
	must(t, err)
	if base.Provider != model.ProviderTransformers || !base.Enabled || base.ModelID == "" {
		t.Fatalf("GetModelInfo(%s) = %+v", embeddingModel, base)
	}
	text, err := models.GetModelInfo(ctx, textModel)
	must(t, err)
	if text.Provider != model.ProviderLlamaCpp || !text.Enabled {
		t.Fatalf("GetModelInfo(%s) = %+v", textModel, text)
	}

	copyCfg := model.ModelConfig{Name: "go-minilm", Provider: model.ProviderTransformers, ModelID: base.ModelID, Parameters: map[string]any{"max_batch": 8}, Enabled: true}
	must(t, models.RegisterModel(ctx, copyCfg))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = models.UnregisterModel(ctx, "go-minilm") // in case the test failed before unregistering
	})
	got, err := models.GetModelInfo(ctx, "go-minilm")
	must(t, err)
	want := copyCfg
	want.Parameters = map[string]any{"max_batch": float64(8)}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("GetModelInfo = %+v, want %+v", *got, want)
	}
	emb, err := models.GenerateEmbedding(ctx, "go-minilm", "registered from Go")
	must(t, err)
	if emb.Dimension != embeddingDim {
		t.Fatalf("the registered copy embeds to %d dimensions", emb.Dimension)
	}

	wantCode(t, models.RegisterModel(ctx, copyCfg), codes.AlreadyExists)
	wantCode(t, models.RegisterModel(ctx, model.ModelConfig{Name: "go-bad", Provider: "huggingface", ModelID: "x", Enabled: true}), codes.InvalidArgument)
	wantCode(t, models.RegisterModel(ctx, model.ModelConfig{Name: "go-secret", Provider: model.ProviderOpenAI, ModelID: "gpt-4o-mini", Parameters: map[string]any{"api_key": "sk-not-here"}, Enabled: true}), codes.InvalidArgument)
	wantCode(t, models.RegisterModel(ctx, model.ModelConfig{Name: "go-nofile", Provider: model.ProviderLlamaCpp, ModelID: "absent/none.gguf", Enabled: true}), codes.FailedPrecondition)

	// Disable (an empty name keeps the name): calls are refused until it is enabled again.
	disabled := copyCfg
	disabled.Name, disabled.Enabled = "", false
	must(t, models.UpdateModelConfig(ctx, "go-minilm", disabled))
	got, err = models.GetModelInfo(ctx, "go-minilm")
	must(t, err)
	if got.Enabled {
		t.Fatal("still enabled after UpdateModelConfig(enabled=false)")
	}
	_, err = models.GenerateEmbedding(ctx, "go-minilm", "refused")
	wantCode(t, err, codes.FailedPrecondition)

	// Rename.
	renamed := copyCfg
	renamed.Name = "go-minilm-renamed"
	must(t, models.UpdateModelConfig(ctx, "go-minilm", renamed))
	_, err = models.GetModelInfo(ctx, "go-minilm")
	wantCode(t, err, codes.NotFound)
	wantCode(t, models.UpdateModelConfig(ctx, "go-minilm-renamed", model.ModelConfig{Name: embeddingModel, Provider: model.ProviderTransformers, ModelID: base.ModelID, Enabled: true}), codes.AlreadyExists)
	must(t, models.UnregisterModel(ctx, "go-minilm-renamed"))

	wantCode(t, models.UnregisterModel(ctx, "go-minilm-renamed"), codes.NotFound)
	wantCode(t, models.UpdateModelConfig(ctx, "ghost", copyCfg), codes.NotFound)
	_, err = models.GetModelInfo(ctx, "ghost")
	wantCode(t, err, codes.NotFound)
	after, err := models.ListModels(ctx)
	must(t, err)
	if !reflect.DeepEqual(after, all) {
		t.Fatalf("the registry did not return to its start:\n%+v\n%+v", after, all)
	}
}

func TestGenerateText(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	res, err := models.GenerateText(ctx, textModel, "Write one sentence about the sea.", params(map[string]any{"max_tokens": 12}))
	must(t, err)
	prompt, _ := res.Metadata["prompt_tokens"].(float64)
	completion, _ := res.Metadata["completion_tokens"].(float64)
	if strings.TrimSpace(res.Text) == "" || completion < 1 || completion > 12 || res.TokensUsed != int(prompt+completion) {
		t.Fatalf("GenerateText = %+v", res)
	}
	if res.Metadata["model"] != textModel || !slices.Contains([]any{"stop", "length"}, res.Metadata["finish_reason"]) {
		t.Fatalf("metadata = %v", res.Metadata)
	}
	stopped, err := models.GenerateText(ctx, textModel, "List three fruits, one per line.", params(map[string]any{"max_tokens": 40, "stop": []string{"\n"}}))
	must(t, err)
	if strings.Contains(stopped.Text, "\n") {
		t.Fatalf("stop sequence not honoured: %q", stopped.Text)
	}

	// A seed fixes sampling at any temperature: the same seed gives the same text, others others.
	sampled := func(seed int) string {
		res, err := models.GenerateText(ctx, textModel, "Write one sentence about the sea.", map[string]any{"temperature": 1, "seed": seed, "max_tokens": 24})
		must(t, err)
		return res.Text
	}
	first := sampled(42)
	if again := sampled(42); again != first {
		t.Fatalf("seed 42 gave %q, then %q", first, again)
	}
	if sampled(43) == first && sampled(44) == first && sampled(45) == first {
		t.Fatalf("seeds 43-45 all gave seed 42's text %q", first)
	}

	_, err = models.GenerateText(ctx, "ghost", "hi", nil)
	wantCode(t, err, codes.NotFound)
	_, err = models.GenerateText(ctx, textModel, "", nil)
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateText(ctx, textModel, "hi", map[string]any{"temperature": "hot"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateText(ctx, textModel, "hi", map[string]any{"max_tokens": 0})
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateText(ctx, embeddingModel, "an embedding model cannot generate", nil)
	wantCode(t, err, codes.FailedPrecondition)
}

func TestEmbeddings(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	cat, err := models.GenerateEmbedding(ctx, embeddingModel, "A cat sits on the mat.")
	must(t, err)
	if cat.Dimension != embeddingDim || len(cat.Vector) != embeddingDim || math.Abs(norm(cat.Vector)-1) > 1e-3 {
		t.Fatalf("embedding: dimension %d, %d values, norm %v", cat.Dimension, len(cat.Vector), norm(cat.Vector))
	}
	if cat.Metadata["model"] != embeddingModel || cat.Metadata["truncated"] != false {
		t.Fatalf("metadata = %v", cat.Metadata)
	}

	texts := []string{"A kitten is resting on the rug.", "Stock markets fell sharply today.", strings.Repeat("long text ", 400)}
	batch, err := models.GenerateEmbeddings(ctx, embeddingModel, texts)
	must(t, err)
	if batch.Dimension != embeddingDim || len(batch.Vectors) != len(texts) {
		t.Fatalf("batch: dimension %d, %d vectors", batch.Dimension, len(batch.Vectors))
	}
	if !reflect.DeepEqual(batch.Metadata["truncated"], []any{false, false, true}) {
		t.Fatalf("batch metadata = %v", batch.Metadata)
	}
	paraphrase, unrelated := cosine(cat.Vector, batch.Vectors[0]), cosine(cat.Vector, batch.Vectors[1])
	if paraphrase < unrelated+0.2 {
		t.Fatalf("a paraphrase (%.3f) should be clearly closer than an unrelated sentence (%.3f)", paraphrase, unrelated)
	}
	// The batch gives what single calls give, in input order.
	for i, text := range texts {
		single, err := models.GenerateEmbedding(ctx, embeddingModel, text)
		must(t, err)
		if c := cosine(single.Vector, batch.Vectors[i]); c < 0.9999 {
			t.Fatalf("text %d: batch and single embeddings differ (cosine %v)", i, c)
		}
	}

	_, err = models.GenerateEmbedding(ctx, "ghost", "hi")
	wantCode(t, err, codes.NotFound)
	_, err = models.GenerateEmbedding(ctx, embeddingModel, "")
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateEmbeddings(ctx, embeddingModel, nil)
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateEmbeddings(ctx, embeddingModel, []string{"ok", ""})
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.GenerateEmbeddings(ctx, "ghost", []string{"hi"})
	wantCode(t, err, codes.NotFound)
	_, err = models.GenerateEmbedding(ctx, textModel, "a text model cannot embed")
	wantCode(t, err, codes.FailedPrecondition)
}

// The default reranker (a bi-encoder over all-MiniLM-L6-v2) through ModelAdapter.Rerank: the
// sentence-transformers Quickstart similarities (sbert.net) come back best first, top_n cuts them,
// and bad input gets the documented codes.
func TestRerank(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	docs := []string{"He drove to the stadium.", "It's so sunny outside!"}
	res, err := models.Rerank(ctx, rerankModel, "The weather is lovely today.", docs, 0)
	must(t, err)
	if len(res.Results) != 2 || res.Results[0].Index != 1 || res.Results[1].Index != 0 {
		t.Fatalf("Rerank = %+v, want the sunny sentence (1) before the stadium (0)", res.Results)
	}
	// Published: 0.6660 and 0.1046 (float32 on the wire).
	if math.Abs(float64(res.Results[0].Score)-0.666) > 2e-4 || math.Abs(float64(res.Results[1].Score)-0.1046) > 2e-4 {
		t.Fatalf("scores %v, %v; published 0.6660, 0.1046", res.Results[0].Score, res.Results[1].Score)
	}
	if res.Metadata["model"] != rerankModel || !reflect.DeepEqual(res.Metadata["truncated"], []any{false, false}) {
		t.Fatalf("metadata = %v", res.Metadata)
	}
	top, err := models.Rerank(ctx, rerankModel, "The weather is lovely today.", docs, 1)
	must(t, err)
	if len(top.Results) != 1 || top.Results[0] != res.Results[0] {
		t.Fatalf("top_n 1 = %+v, want %+v", top.Results, res.Results[:1])
	}

	_, err = models.Rerank(ctx, embeddingModel, "an embedding model cannot rerank", docs, 0)
	wantCode(t, err, codes.FailedPrecondition)
	_, err = models.Rerank(ctx, rerankModel, "no documents", nil, 0)
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.Rerank(ctx, rerankModel, "", docs, 0)
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.Rerank(ctx, rerankModel, "q", docs, -1)
	wantCode(t, err, codes.InvalidArgument)
	_, err = models.Rerank(ctx, rerankModel, "q", []string{strings.Repeat("x", 64*1024+1)}, 0)
	wantCode(t, err, codes.ResourceExhausted)
	_, err = models.Rerank(ctx, "ghost", "q", docs, 0)
	wantCode(t, err, codes.NotFound)
}
