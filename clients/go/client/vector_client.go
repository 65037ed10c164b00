package client

import (
	"context"

	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// VectorClient calls taishang.ai.v1.VectorService: collections, indexes, writes, search.
type VectorClient struct {
	conn   *grpc.ClientConn // nil when the connection belongs to the caller
	client pb.VectorServiceClient
}

// NewVectorClient connects to the service at address with its own connection (see NewConn).
func NewVectorClient(address string, opts ...Option) (*VectorClient, error) {
	conn, err := NewConn(address, opts...)
	if err != nil {
		return nil, err
	}
	return &VectorClient{conn: conn, client: pb.NewVectorServiceClient(conn)}, nil
}

// NewVectorClientFromConn uses a connection the caller owns (from NewConn); Close leaves it open.
func NewVectorClientFromConn(conn grpc.ClientConnInterface) *VectorClient {
	return &VectorClient{client: pb.NewVectorServiceClient(conn)}
}

// Close closes the connection NewVectorClient made.
func (c *VectorClient) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Stub is the generated client, for calls that need every field or call option.
func (c *VectorClient) Stub() pb.VectorServiceClient { return c.client }

// CreateCollection creates a collection of vectorDim-dimensional vectors; indexParams may be nil
// (COSINE, no index).
func (c *VectorClient) CreateCollection(ctx context.Context, name, description string, vectorDim int, indexParams *pb.IndexParams) error {
	dim, err := wire.Int32("vector_dim", vectorDim)
	if err != nil {
		return err
	}
	res, err := c.client.CreateCollection(ctx, &pb.CreateCollectionRequest{
		Name:        name,
		Description: description,
		VectorDim:   dim,
		IndexParams: indexParams,
	})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// DropCollection deletes a collection and its vectors.
func (c *VectorClient) DropCollection(ctx context.Context, name string) error {
	_, err := c.client.DropCollection(ctx, &pb.DropCollectionRequest{Name: name})
	return err
}

// HasCollection reports whether a collection exists.
func (c *VectorClient) HasCollection(ctx context.Context, name string) (bool, error) {
	res, err := c.client.HasCollection(ctx, &pb.HasCollectionRequest{Name: name})
	return res.GetExists(), err
}

// ListCollections returns the names of all collections.
func (c *VectorClient) ListCollections(ctx context.Context) ([]string, error) {
	res, err := c.client.ListCollections(ctx, &emptypb.Empty{})
	return res.GetNames(), err
}

// GetCollectionInfo returns a collection's dimension, index parameters and timestamps, and
// EmbeddingModel when it is bound to an embedding model (CreateBoundCollection).
func (c *VectorClient) GetCollectionInfo(ctx context.Context, name string) (*pb.GetCollectionInfoResponse, error) {
	return c.client.GetCollectionInfo(ctx, &pb.GetCollectionInfoRequest{Name: name})
}

// GetCollectionStats returns a collection's vector count and size.
func (c *VectorClient) GetCollectionStats(ctx context.Context, name string) (*pb.GetCollectionStatsResponse, error) {
	return c.client.GetCollectionStats(ctx, &pb.GetCollectionStatsRequest{Name: name})
}

// CreateIndex declares (and builds when the collection is large enough) an index.
func (c *VectorClient) CreateIndex(ctx context.Context, collection string, indexParams *pb.IndexParams) error {
	_, err := c.client.CreateIndex(ctx, &pb.CreateIndexRequest{CollectionName: collection, IndexParams: indexParams})
	return err
}

// DropIndex removes a collection's index (searches become exact); fine when there is none.
func (c *VectorClient) DropIndex(ctx context.Context, collection string) error {
	_, err := c.client.DropIndex(ctx, &pb.DropIndexRequest{CollectionName: collection})
	return err
}

// HasIndex reports whether an index is declared on the collection.
func (c *VectorClient) HasIndex(ctx context.Context, collection string) (bool, error) {
	res, err := c.client.HasIndex(ctx, &pb.HasIndexRequest{CollectionName: collection})
	return res.GetExists(), err
}

// Insert adds vectors (all or none) and returns their ids in input order; an empty id gets a
// generated one. An id already stored is AlreadyExists. A record may carry Text; in a bound
// collection it may carry Text and no vector, and the service embeds it.
func (c *VectorClient) Insert(ctx context.Context, collection string, vectors []*pb.Vector) ([]string, error) {
	res, err := c.client.Insert(ctx, &pb.InsertRequest{CollectionName: collection, Vectors: vectors})
	if err != nil {
		return nil, err
	}
	return res.GetIds(), checkSuccess(res.GetSuccess(), res.GetMessage())
}

// Upsert inserts or wholly replaces vectors by id and returns their ids.
func (c *VectorClient) Upsert(ctx context.Context, collection string, vectors []*pb.Vector) ([]string, error) {
	res, err := c.client.Upsert(ctx, &pb.UpsertRequest{CollectionName: collection, Vectors: vectors})
	if err != nil {
		return nil, err
	}
	return res.GetIds(), checkSuccess(res.GetSuccess(), res.GetMessage())
}

// Delete removes vectors by id; ids that are not stored are ignored.
func (c *VectorClient) Delete(ctx context.Context, collection string, ids []string) error {
	res, err := c.client.Delete(ctx, &pb.DeleteRequest{CollectionName: collection, Ids: ids})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// Search returns the nearest vectors, closest first (SearchText queries by text). options may be nil (the server's default
// top-k, 10, no filter).
func (c *VectorClient) Search(ctx context.Context, collection string, query []float32, options *pb.SearchOptions) ([]*pb.SearchResult, error) {
	res, err := c.client.Search(ctx, &pb.SearchRequest{CollectionName: collection, QueryVector: query, Options: options})
	return res.GetResults(), err
}

// GetByID returns one stored vector with its metadata; NotFound when the id is not stored.
func (c *VectorClient) GetByID(ctx context.Context, collection, id string) (*pb.Vector, error) {
	res, err := c.client.GetByID(ctx, &pb.GetByIDRequest{CollectionName: collection, Id: id})
	if err != nil {
		return nil, err
	}
	return res.GetVector(), nil
}

// Health reports whether the vector engine is ready.
func (c *VectorClient) Health(ctx context.Context) (*pb.HealthResponse, error) {
	return c.client.Health(ctx, &emptypb.Empty{})
}

// Compact merges small files, purges deleted rows and retrains a grown index.
func (c *VectorClient) Compact(ctx context.Context, collection string) error {
	_, err := c.client.Compact(ctx, &pb.CompactRequest{CollectionName: collection})
	return err
}
