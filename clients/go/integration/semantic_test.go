package integration

import (
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/vector"
)

// The Go backend's everyday path through both adapters: embed documents, store them with
// metadata, embed a question and search, with and without a metadata filter.
func TestSemanticSearch(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	docs := []struct{ id, text, lang string }{
		{"tea", "Green tea is brewed with water just below boiling.", "en"},
		{"rust", "The borrow checker rejects two mutable references at once.", "en"},
		{"tide", "Tides are caused by the moon's gravity pulling on the oceans.", "en"},
		{"bread", "Sourdough bread rises thanks to wild yeast.", "en"},
		{"marees", "Les marées sont dues à l'attraction de la lune.", "fr"},
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.text
	}
	embedded, err := models.GenerateEmbeddings(ctx, embeddingModel, texts)
	must(t, err)
	col := newCollection(t, embedded.Dimension, vector.IndexParams{MetricType: vector.MetricCosine})
	batch := make([]vector.Vector, len(docs))
	for i, d := range docs {
		batch[i] = vector.Vector{ID: d.id, Vector: embedded.Vectors[i], Metadata: map[string]any{"text": d.text, "lang": d.lang}}
	}
	_, err = vectors.Insert(ctx, col, batch)
	must(t, err)

	question, err := models.GenerateEmbedding(ctx, embeddingModel, "Why does the sea level rise and fall every day?")
	must(t, err)
	hits, err := vectors.Search(ctx, col, question.Vector, vector.SearchOptions{TopK: 2})
	must(t, err)
	if hits[0].ID != "tide" || hits[0].Metadata["text"] != docs[2].text {
		t.Fatalf("nearest to the tide question: %v", hitIDs(hits))
	}
	hits, err = vectors.Search(ctx, col, question.Vector, vector.SearchOptions{TopK: 2, Filter: map[string]any{"lang": "fr"}})
	must(t, err)
	if len(hits) != 1 || hits[0].ID != "marees" {
		t.Fatalf("filtered to French: %v", hitIDs(hits))
	}
}
