package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
	"google.golang.org/grpc/codes"
)

// newBoundCollection creates a collection bound to the default embedding model, named after the
// test, and drops it when the test ends.
func newBoundCollection(t *testing.T) string {
	t.Helper()
	name := "go_" + strings.NewReplacer("/", "_", "-", "_").Replace(t.Name())
	must(t, vectors.CreateBoundCollection(ctxFor(t, 30*time.Second), name, "texts for "+t.Name(), embeddingModel, vector.IndexParams{}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = vectors.DropCollection(ctx, name)
	})
	return name
}

var textDocs = []vector.Vector{
	{ID: "tide", Text: "Tides are caused by the moon's gravity pulling on the oceans.", Metadata: map[string]any{"lang": "en"}},
	{ID: "bread", Text: "Sourdough bread rises thanks to wild yeast.", Metadata: map[string]any{"lang": "en"}},
	{ID: "rust", Text: "The borrow checker rejects two mutable references at once.", Metadata: map[string]any{"lang": "en"}},
	{ID: "marees", Text: "Les marées sont dues à l'attraction de la lune.", Metadata: map[string]any{"lang": "fr"}},
}

// A bound collection through both layers: the binding in its info, texts embedded by the
// service, a text query embedded with the bound model (vector mode), the text coming back.
func TestBoundCollectionVectorMode(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	col := newBoundCollection(t)

	info, err := vectors.GetCollectionInfo(ctx, col)
	must(t, err)
	if b := info.EmbeddingModel; b == nil || b.Name != embeddingModel || b.Dimension != embeddingDim || info.VectorDim != embeddingDim {
		t.Fatalf("info = %+v, binding %+v; want bound to %s with %d dimensions", info, info.EmbeddingModel, embeddingModel, embeddingDim)
	}
	_, err = vectors.Insert(ctx, col, textDocs)
	must(t, err)
	ids, err := vectorClient.InsertTexts(ctx, col, []string{"Espresso is hot water forced through ground coffee."})
	must(t, err)
	if len(ids) != 1 || ids[0] == "" {
		t.Fatalf("InsertTexts ids = %v, want one generated id", ids)
	}

	stored, err := vectors.GetByID(ctx, col, "tide")
	must(t, err)
	if stored.Text != textDocs[0].Text || len(stored.Vector) != embeddingDim {
		t.Fatalf("stored tide: text %q, %d dims; want its text and an embedding", stored.Text, len(stored.Vector))
	}
	hits, err := vectors.SearchText(ctx, col, "Why does the sea level rise and fall every day?", vector.TextSearchOptions{TopK: 2})
	must(t, err)
	if len(hits) == 0 || hits[0].ID != "tide" || hits[0].Text != textDocs[0].Text {
		t.Fatalf("vector-mode text search: %+v", hits)
	}
	hits, err = vectors.SearchText(ctx, col, "Why does the sea level rise and fall every day?", vector.TextSearchOptions{TopK: 2, Mode: vector.ModeVector, Filter: map[string]any{"lang": "fr"}})
	must(t, err)
	if len(hits) != 1 || hits[0].ID != "marees" {
		t.Fatalf("filtered to French: %+v", hits)
	}
	raw, err := vectorClient.SearchText(ctx, col, "coffee", &pb.SearchOptions{Topk: 1, Mode: client.SearchModeVector})
	must(t, err)
	if len(raw) != 1 || raw[0].GetId() != ids[0] {
		t.Fatalf("client SearchText for coffee: %v, want %s", raw, ids[0])
	}
}

// Text (BM25) and hybrid modes, with and without a reranker.
func TestBoundCollectionTextAndHybridModes(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	col := newBoundCollection(t)
	_, err := vectors.Insert(ctx, col, textDocs)
	must(t, err)

	cases := []struct {
		name string
		opts vector.TextSearchOptions
	}{
		{"text", vector.TextSearchOptions{TopK: 2, Mode: vector.ModeText}},
		{"hybrid", vector.TextSearchOptions{TopK: 2, Mode: vector.ModeHybrid, RRFK: 10}},
		{"hybrid_rerank", vector.TextSearchOptions{TopK: 2, Mode: vector.ModeHybrid, Rerank: &vector.RerankOptions{Model: rerankModel}}},
		{"vector_rerank", vector.TextSearchOptions{TopK: 2, Rerank: &vector.RerankOptions{Model: rerankModel, Candidates: 4}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits, err := vectors.SearchText(ctx, col, "What do the moon and the oceans' tides have to do with each other?", c.opts)
			must(t, err)
			if len(hits) == 0 || hits[0].ID != "tide" || hits[0].Text == "" {
				t.Fatalf("%s search: %+v", c.name, hits)
			}
		})
	}
}

// The service's rules reach a Go caller as InvalidArgument: text modes need a bound collection,
// reranking needs a text query.
func TestTextSearchRules(t *testing.T) {
	ctx := ctxFor(t, 30*time.Second)
	plain := newCollection(t, 3, vector.IndexParams{})
	_, err := vectors.SearchText(ctx, plain, "tides", vector.TextSearchOptions{TopK: 1})
	wantCode(t, err, codes.InvalidArgument)

	_, err = vectorClient.Search(ctx, plain, []float32{1, 0, 0}, &pb.SearchOptions{Topk: 1, Rerank: &pb.SearchRerank{Model: rerankModel}})
	wantCode(t, err, codes.InvalidArgument)

	_, err = vectors.SearchText(ctx, plain, "tides", vector.TextSearchOptions{TopK: 1, Mode: "fuzzy"})
	wantCode(t, err, codes.InvalidArgument)
}
