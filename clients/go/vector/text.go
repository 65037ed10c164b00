package vector

import "context"

// SearchMode is how a text query ranks records.
type SearchMode string

// The modes the service accepts; the empty mode is ModeVector.
const (
	// ModeVector embeds the query with the collection's model and ranks by similarity: meaning
	// over wording.
	ModeVector SearchMode = "vector"
	// ModeText ranks by BM25 over the stored texts: exact words, names and codes an embedding blurs.
	ModeText SearchMode = "text"
	// ModeHybrid runs both rankings and fuses them by Reciprocal Rank Fusion, which needs only
	// ranks, so BM25 scores and similarities need no common scale.
	ModeHybrid SearchMode = "hybrid"
)

// RerankOptions reorders a search's candidates with a reranker model, which reads the query and
// each passage together and so judges relevance more finely than the first ranking did.
// Candidates is how many hits are fetched and reranked (topk..1000; 0: max(TopK, 50)).
type RerankOptions struct {
	Model      string
	Candidates int
}

// TextSearchOptions shapes SearchText. TopK, IncludeVector and Filter are as in SearchOptions.
// RRFK is Reciprocal Rank Fusion's k in ModeHybrid (0: the service's 60; a larger k flattens
// the weight of the top ranks). Rerank, when set, reranks the candidates and returns the best
// TopK with the reranker's scores.
type TextSearchOptions struct {
	TopK          int
	IncludeVector bool
	Filter        map[string]any
	Mode          SearchMode
	RRFK          int
	Rerank        *RerankOptions
}

// EmbeddingBinding is the embedding model a collection is bound to, fixed at creation: the
// registered name and the identity of the weights it had then (Weights pins them, e.g.
// "dtype=fp32" or a GGUF's sha256), so stored vectors never mix two models.
type EmbeddingBinding struct {
	Name      string
	Provider  string
	ModelID   string
	Weights   string
	Dimension int
}

// TextSearcher stores and searches texts in collections bound to an embedding model: records go
// in through VectorDatabase's Insert or Upsert with Text set (and no Vector), and
// GetCollectionInfo reports the binding. It is not part of the seed's VectorDatabase, so
// implementations of that interface written elsewhere keep compiling; GrpcVectorAdapter
// implements both.
type TextSearcher interface {
	// CreateBoundCollection creates a collection whose dimension is embeddingModel's.
	CreateBoundCollection(ctx context.Context, name, description, embeddingModel string, indexParams IndexParams) error
	// SearchText ranks the collection's records against query as options.Mode says, best first.
	SearchText(ctx context.Context, collection, query string, options TextSearchOptions) ([]SearchResult, error)
}
