package vector_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/model"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
)

// Connect once, then embed a text and find its neighbours among the stored books.
func Example() {
	conn, err := client.NewConn("localhost:50051", client.WithInsecure(), client.WithTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	vectors := vector.NewGrpcVectorAdapter(client.NewVectorClientFromConn(conn))
	models := model.NewModelAdapter(client.NewModelClientFromConn(conn))

	ctx := context.Background()
	emb, err := models.GenerateEmbedding(ctx, "all-MiniLM-L6-v2", "a desert planet and its spice")
	if err != nil {
		log.Fatal(err)
	}
	hits, err := vectors.Search(ctx, "books", emb.Vector, vector.SearchOptions{
		TopK:   5,
		Filter: map[string]any{"year": map[string]any{"$gte": 1950}, "genre": map[string]any{"$in": []string{"scifi", "fantasy"}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Println(h.ID, h.Score, h.Metadata["title"])
	}
}
