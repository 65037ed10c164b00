package client

import (
	"context"

	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
)

// The search modes of SearchOptions.Mode. An empty mode is SearchModeVector.
const (
	// SearchModeVector ranks by the query vector, or by query_text embedded with the collection's model.
	SearchModeVector = "vector"
	// SearchModeText ranks by BM25 over the stored texts: exact words, names and codes that an
	// embedding blurs.
	SearchModeText = "text"
	// SearchModeHybrid runs both rankings and fuses them by Reciprocal Rank Fusion (SearchOptions.RrfK).
	SearchModeHybrid = "hybrid"
)

// CreateBoundCollection creates a collection bound to a registered embedding model: its records
// may carry Text and no vector (the service embeds them) and SearchText works on it. The
// dimension is the model's; the binding is fixed for the collection's life, so its vectors never
// mix two models. indexParams may be nil (COSINE, no index).
func (c *VectorClient) CreateBoundCollection(ctx context.Context, name, description, embeddingModel string, indexParams *pb.IndexParams) error {
	res, err := c.client.CreateCollection(ctx, &pb.CreateCollectionRequest{
		Name:           name,
		Description:    description,
		IndexParams:    indexParams,
		EmbeddingModel: embeddingModel,
	})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// InsertTexts adds one record per text to a bound collection, all or none, with generated ids,
// and returns the ids in input order. For chosen ids, metadata or a vector of your own next to
// the text, pass records with Text set to Insert or Upsert.
func (c *VectorClient) InsertTexts(ctx context.Context, collection string, texts []string) ([]string, error) {
	records := make([]*pb.Vector, len(texts))
	for i, t := range texts {
		records[i] = &pb.Vector{Text: t}
	}
	return c.Insert(ctx, collection, records)
}

// SearchText searches a bound collection with a text query: options.Mode picks the ranking
// (SearchModeVector when empty, SearchModeText, SearchModeHybrid), options.RrfK the fusion's k
// and options.Rerank a reranker that reorders the candidates. Results carry the stored Text.
// options may be nil (vector mode, top 10).
func (c *VectorClient) SearchText(ctx context.Context, collection, queryText string, options *pb.SearchOptions) ([]*pb.SearchResult, error) {
	res, err := c.client.Search(ctx, &pb.SearchRequest{CollectionName: collection, QueryText: queryText, Options: options})
	return res.GetResults(), err
}
