// Package vector is the seed's VectorDatabase interface and GrpcVectorAdapter, which implements
// it over taishang-ai's VectorService (client.VectorClient). Metadata and filters are plain
// map[string]any; errors are gRPC status errors (status.Code(err) works).
package vector

import (
	"context"
	"time"
)

// IndexType names an index kind; the service maps each to its engine.
type IndexType string

// The index types the service accepts.
const (
	IndexFlat      IndexType = "FLAT" // exact search
	IndexHNSW      IndexType = "HNSW"
	IndexIVFFlat   IndexType = "IVF_FLAT"
	IndexIVFPQ     IndexType = "IVF_PQ"
	IndexAutoIndex IndexType = "AUTOINDEX"
)

// MetricType is how closeness is measured.
type MetricType string

// The metrics the service accepts. Scores: similarity for Cosine and IP (higher is closer),
// squared Euclidean distance for L2 (lower is closer).
const (
	MetricCosine MetricType = "COSINE"
	MetricIP     MetricType = "IP"
	MetricL2     MetricType = "L2"
)

// IndexParams describes a collection's index. Empty fields take the service's defaults (no
// index, COSINE); Params holds engine settings such as "m", "ef_construction", "nlist", "nprobe".
type IndexParams struct {
	IndexType  IndexType
	MetricType MetricType
	Params     map[string]any
}

// Vector is one stored vector. Metadata values are strings, numbers, booleans, lists and
// objects; they come back with JSON's types (numbers as float64). Text is the record's passage:
// in a collection bound to an embedding model (TextSearcher) a record may carry Text and no
// Vector, and the service embeds it.
type Vector struct {
	ID       string
	Vector   []float32
	Metadata map[string]any
	Text     string
}

// SearchOptions shapes a search. TopK is required (1–1024). Filter is the service's Mongo-style
// filter language, e.g. {"year": {"$gte": 2000}, "tag": {"$in": []string{"a", "b"}}}.
type SearchOptions struct {
	TopK          int
	IncludeVector bool
	Filter        map[string]any
}

// SearchResult is one hit; Vector is set only when SearchOptions.IncludeVector was, Text when the
// record has one.
type SearchResult struct {
	ID       string
	Score    float32
	Vector   []float32
	Metadata map[string]any
	Text     string
}

// CollectionInfo describes a collection; IndexParams.IndexType is empty when no index is
// declared, EmbeddingModel nil when the collection is not bound to an embedding model.
type CollectionInfo struct {
	Name           string
	Description    string
	VectorDim      int
	IndexParams    IndexParams
	CreatedAt      time.Time
	UpdatedAt      time.Time
	EmbeddingModel *EmbeddingBinding
}

// CollectionStats counts a collection's contents.
type CollectionStats struct {
	Name        string
	VectorCount int64
	SizeInBytes int64
}

// HealthStatus is the vector engine's readiness.
type HealthStatus struct {
	Healthy bool
	Message string
}

// VectorDatabase is what the Go backend needs from a vector store.
type VectorDatabase interface {
	CreateCollection(ctx context.Context, name, description string, vectorDim int, indexParams IndexParams) error
	DropCollection(ctx context.Context, name string) error
	HasCollection(ctx context.Context, name string) (bool, error)
	ListCollections(ctx context.Context) ([]string, error)
	GetCollectionInfo(ctx context.Context, name string) (*CollectionInfo, error)
	GetCollectionStats(ctx context.Context, name string) (*CollectionStats, error)

	CreateIndex(ctx context.Context, collection string, indexParams IndexParams) error
	DropIndex(ctx context.Context, collection string) error
	HasIndex(ctx context.Context, collection string) (bool, error)

	Insert(ctx context.Context, collection string, vectors []Vector) ([]string, error)
	Upsert(ctx context.Context, collection string, vectors []Vector) ([]string, error)
	Delete(ctx context.Context, collection string, ids []string) error

	Search(ctx context.Context, collection string, query []float32, options SearchOptions) ([]SearchResult, error)
	GetByID(ctx context.Context, collection, id string) (*Vector, error)

	Health(ctx context.Context) (*HealthStatus, error)
	Compact(ctx context.Context, collection string) error
}
