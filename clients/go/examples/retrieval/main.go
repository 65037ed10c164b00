// Command retrieval does retrieval end to end on a collection bound to an embedding model: it
// creates the collection, inserts a dozen passages as text (the service embeds them), asks a
// question by hybrid search (vector and BM25 rankings fused by Reciprocal Rank Fusion) reranked
// by a reranker model, prints the ranked passages and drops the collection. It registers no
// model: it uses the two the service registers on first start. It prints "top: <id>" of the best
// passage and "dropped <collection>" at the end; it exits 1 on any failure.
// clients/go/integration/retrieval_example_test.go runs it against the real service.
//
//	go run ./examples/retrieval -addr 127.0.0.1:50051 [-question "..."]
//
// With API keys on the service, put a key with the write role in TAISHANG_AI_API_KEY.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
)

// passages is a small corpus with one answer per question and some near misses: "stocks" shares
// the tide question's words, "everest" its sea level.
var passages = []struct{ id, topic, text string }{
	{"tides", "earth", "Tides are the daily rise and fall of the sea, caused by the moon's gravity pulling on the oceans."},
	{"stocks", "money", "Stock prices rise and fall every day as buyers and sellers trade on the exchange."},
	{"everest", "earth", "Mount Everest, 8,849 metres above sea level, is the highest mountain on Earth."},
	{"seasons", "earth", "The seasons change because the Earth's axis is tilted relative to its orbit around the sun."},
	{"volcano", "earth", "Volcanoes erupt when molten rock rises through cracks in the Earth's crust."},
	{"bread", "food", "Sourdough bread rises thanks to the wild yeast and lactic acid bacteria of its starter."},
	{"tea", "food", "Green tea is brewed with water just below boiling, for two to three minutes."},
	{"espresso", "food", "Espresso is made by forcing hot water through finely ground coffee under pressure."},
	{"borrow", "code", "Rust's borrow checker rejects two mutable references to the same value at once."},
	{"photosynthesis", "life", "Plants turn sunlight, water and carbon dioxide into sugar and oxygen by photosynthesis."},
	{"sleep", "life", "Adults need seven to nine hours of sleep a night; the circadian rhythm follows daylight."},
	{"rome", "history", "The Western Roman Empire fell in 476 when Odoacer deposed the emperor Romulus Augustulus."},
}

type config struct {
	addr, apiKey, question   string
	embeddingModel, reranker string
	topK                     int
	timeout                  time.Duration
}

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:50051", "the service's gRPC address (plaintext: loopback or a trusted network)")
	flag.StringVar(&cfg.question, "question", "Why does the sea rise and fall twice a day?", "the question to retrieve passages for")
	flag.StringVar(&cfg.embeddingModel, "embedding-model", "all-MiniLM-L6-v2", "the embedding model to bind the collection to")
	flag.StringVar(&cfg.reranker, "reranker", "all-MiniLM-L6-v2-rerank", "the reranker model")
	flag.IntVar(&cfg.topK, "topk", 3, "how many passages to print")
	flag.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "bound on the whole run")
	flag.Parse()
	cfg.apiKey = os.Getenv("TAISHANG_AI_API_KEY") // from the environment, so it stays out of `ps`
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "retrieval:", err)
		os.Exit(1)
	}
}

func run(cfg config, out io.Writer) (err error) {
	opts := []client.Option{client.WithInsecure()}
	if cfg.apiKey != "" {
		opts = append(opts, client.WithAPIKey(cfg.apiKey))
	}
	conn, err := client.NewConn(cfg.addr, opts...)
	if err != nil {
		return err
	}
	defer conn.Close()
	vectors := vector.NewGrpcVectorAdapter(client.NewVectorClientFromConn(conn))
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()

	// A fresh name per run, so runs side by side (or after a crashed one) never collide.
	name, err := collectionName()
	if err != nil {
		return err
	}
	if err := vectors.CreateBoundCollection(ctx, name, "passages for the retrieval example", cfg.embeddingModel, vector.IndexParams{MetricType: vector.MetricCosine}); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer func() {
		// Its own deadline: the collection goes even when the run's context has expired.
		dropCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if dropErr := vectors.DropCollection(dropCtx, name); dropErr != nil {
			err = errors.Join(err, fmt.Errorf("drop %s: %w", name, dropErr))
			return
		}
		fmt.Fprintf(out, "dropped %s\n", name)
	}()

	info, err := vectors.GetCollectionInfo(ctx, name)
	if err != nil {
		return err
	}
	if info.EmbeddingModel == nil {
		return fmt.Errorf("%s reports no embedding model after CreateBoundCollection", name)
	}
	b := info.EmbeddingModel
	fmt.Fprintf(out, "collection %s bound to %s (%s %s, %d dimensions)\n", name, b.Name, b.Provider, b.ModelID, b.Dimension)

	// Text and metadata, no vectors: the service embeds the texts with the bound model.
	records := make([]vector.Vector, len(passages))
	for i, p := range passages {
		records[i] = vector.Vector{ID: p.id, Text: p.text, Metadata: map[string]any{"topic": p.topic}}
	}
	if _, err := vectors.Insert(ctx, name, records); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	fmt.Fprintf(out, "inserted %d passages\n", len(records))

	hits, err := vectors.SearchText(ctx, name, cfg.question, vector.TextSearchOptions{
		TopK:   cfg.topK,
		Mode:   vector.ModeHybrid,
		Rerank: &vector.RerankOptions{Model: cfg.reranker, Candidates: len(passages)},
	})
	if err != nil {
		return fmt.Errorf("hybrid search with rerank: %w", err)
	}
	if len(hits) == 0 {
		return errors.New("the search found no passage")
	}
	fmt.Fprintf(out, "question: %s\n", cfg.question)
	for i, h := range hits {
		fmt.Fprintf(out, "%d. %-14s %.4f  %s\n", i+1, h.ID, h.Score, h.Text)
	}
	fmt.Fprintf(out, "top: %s\n", hits[0].ID)
	return nil
}

func collectionName() (string, error) {
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", err
	}
	return "retrieval_example_" + hex.EncodeToString(suffix[:]), nil
}
