package vector

import (
	"context"
	"fmt"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
)

// GrpcVectorAdapter implements VectorDatabase over taishang-ai's gRPC VectorService.
type GrpcVectorAdapter struct {
	client *client.VectorClient
}

var _ VectorDatabase = (*GrpcVectorAdapter)(nil)

// NewGrpcVectorAdapter adapts a VectorClient; closing the client stays the caller's job.
func NewGrpcVectorAdapter(c *client.VectorClient) *GrpcVectorAdapter {
	return &GrpcVectorAdapter{client: c}
}

// CreateCollection creates a collection of vectorDim-dimensional vectors.
func (a *GrpcVectorAdapter) CreateCollection(ctx context.Context, name, description string, vectorDim int, indexParams IndexParams) error {
	params, err := indexParamsToPB("index_params", indexParams)
	if err != nil {
		return err
	}
	return a.client.CreateCollection(ctx, name, description, vectorDim, params)
}

// DropCollection deletes a collection and its vectors.
func (a *GrpcVectorAdapter) DropCollection(ctx context.Context, name string) error {
	return a.client.DropCollection(ctx, name)
}

// HasCollection reports whether a collection exists.
func (a *GrpcVectorAdapter) HasCollection(ctx context.Context, name string) (bool, error) {
	return a.client.HasCollection(ctx, name)
}

// ListCollections returns the names of all collections.
func (a *GrpcVectorAdapter) ListCollections(ctx context.Context) ([]string, error) {
	return a.client.ListCollections(ctx)
}

// GetCollectionInfo returns a collection's dimension, index parameters, timestamps and, when it
// is bound to an embedding model, the binding.
func (a *GrpcVectorAdapter) GetCollectionInfo(ctx context.Context, name string) (*CollectionInfo, error) {
	res, err := a.client.GetCollectionInfo(ctx, name)
	if err != nil {
		return nil, err
	}
	return &CollectionInfo{
		Name:           res.GetName(),
		Description:    res.GetDescription(),
		VectorDim:      int(res.GetVectorDim()),
		IndexParams:    indexParamsFromPB(res.GetIndexParams()),
		CreatedAt:      time.UnixMilli(res.GetCreatedAt()),
		UpdatedAt:      time.UnixMilli(res.GetUpdatedAt()),
		EmbeddingModel: bindingFromPB(res.GetEmbeddingModel()),
	}, nil
}

// GetCollectionStats returns a collection's vector count and size.
func (a *GrpcVectorAdapter) GetCollectionStats(ctx context.Context, name string) (*CollectionStats, error) {
	res, err := a.client.GetCollectionStats(ctx, name)
	if err != nil {
		return nil, err
	}
	return &CollectionStats{Name: res.GetName(), VectorCount: res.GetVectorCount(), SizeInBytes: res.GetSizeInBytes()}, nil
}

// CreateIndex declares an index on a collection (the metric may change with it).
func (a *GrpcVectorAdapter) CreateIndex(ctx context.Context, collection string, indexParams IndexParams) error {
	params, err := indexParamsToPB("index_params", indexParams)
	if err != nil {
		return err
	}
	return a.client.CreateIndex(ctx, collection, params)
}

// DropIndex removes a collection's index; searches become exact.
func (a *GrpcVectorAdapter) DropIndex(ctx context.Context, collection string) error {
	return a.client.DropIndex(ctx, collection)
}

// HasIndex reports whether an index is declared on the collection.
func (a *GrpcVectorAdapter) HasIndex(ctx context.Context, collection string) (bool, error) {
	return a.client.HasIndex(ctx, collection)
}

// Insert adds vectors, all or none, and returns their ids (generated for empty ones). In a bound
// collection a record may carry Text and no Vector.
func (a *GrpcVectorAdapter) Insert(ctx context.Context, collection string, vectors []Vector) ([]string, error) {
	msgs, err := vectorsToPB(vectors)
	if err != nil {
		return nil, err
	}
	return a.client.Insert(ctx, collection, msgs)
}

// Upsert inserts or wholly replaces vectors by id.
func (a *GrpcVectorAdapter) Upsert(ctx context.Context, collection string, vectors []Vector) ([]string, error) {
	msgs, err := vectorsToPB(vectors)
	if err != nil {
		return nil, err
	}
	return a.client.Upsert(ctx, collection, msgs)
}

// Delete removes vectors by id; missing ids are ignored.
func (a *GrpcVectorAdapter) Delete(ctx context.Context, collection string, ids []string) error {
	return a.client.Delete(ctx, collection, ids)
}

// Search returns the options.TopK nearest vectors matching options.Filter, closest first.
func (a *GrpcVectorAdapter) Search(ctx context.Context, collection string, query []float32, options SearchOptions) ([]SearchResult, error) {
	topk, err := wire.Int32("options.topk", options.TopK)
	if err != nil {
		return nil, err
	}
	filter, err := wire.ToStruct("options.filter", options.Filter)
	if err != nil {
		return nil, err
	}
	hits, err := a.client.Search(ctx, collection, query, &pb.SearchOptions{Topk: topk, IncludeVector: options.IncludeVector, Filter: filter})
	if err != nil {
		return nil, err
	}
	return searchResultsFromPB(hits), nil
}

// GetByID returns one stored vector; NotFound when the id is not stored.
func (a *GrpcVectorAdapter) GetByID(ctx context.Context, collection, id string) (*Vector, error) {
	v, err := a.client.GetByID(ctx, collection, id)
	if err != nil {
		return nil, err
	}
	return &Vector{ID: v.GetId(), Vector: v.GetVector(), Metadata: wire.FromStruct(v.GetMetadata()), Text: v.GetText()}, nil
}

// Health reports whether the vector engine is ready.
func (a *GrpcVectorAdapter) Health(ctx context.Context) (*HealthStatus, error) {
	res, err := a.client.Health(ctx)
	if err != nil {
		return nil, err
	}
	return &HealthStatus{Healthy: res.GetHealthy(), Message: res.GetMessage()}, nil
}

// Compact merges small files, purges deleted rows and retrains a grown index.
func (a *GrpcVectorAdapter) Compact(ctx context.Context, collection string) error {
	return a.client.Compact(ctx, collection)
}

func indexParamsToPB(path string, p IndexParams) (*pb.IndexParams, error) {
	params, err := wire.ToStruct(path+".params", p.Params)
	if err != nil {
		return nil, err
	}
	return &pb.IndexParams{IndexType: string(p.IndexType), MetricType: string(p.MetricType), Params: params}, nil
}

func indexParamsFromPB(p *pb.IndexParams) IndexParams {
	return IndexParams{IndexType: IndexType(p.GetIndexType()), MetricType: MetricType(p.GetMetricType()), Params: wire.FromStruct(p.GetParams())}
}

func vectorsToPB(vectors []Vector) ([]*pb.Vector, error) {
	msgs := make([]*pb.Vector, len(vectors))
	for i, v := range vectors {
		metadata, err := wire.ToStruct(fmt.Sprintf("vectors[%d].metadata", i), v.Metadata)
		if err != nil {
			return nil, err
		}
		msgs[i] = &pb.Vector{Id: v.ID, Vector: v.Vector, Metadata: metadata, Text: v.Text}
	}
	return msgs, nil
}

func searchResultsFromPB(hits []*pb.SearchResult) []SearchResult {
	results := make([]SearchResult, len(hits))
	for i, h := range hits {
		results[i] = SearchResult{ID: h.GetId(), Score: h.GetScore(), Vector: h.GetVector(), Metadata: wire.FromStruct(h.GetMetadata()), Text: h.GetText()}
	}
	return results
}
