package client

import (
	"context"
	"iter"

	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
	"google.golang.org/protobuf/types/known/structpb"
)

// ListOptions shapes ListVectors. PageSize is how many vectors each call fetches (1–1000; 0 is
// the server's default, 100); Filter is the filter language of SearchOptions (nil: every vector).
type ListOptions struct {
	Filter        *structpb.Struct
	PageSize      int
	IncludeVector bool
}

// ListVectorsPage returns one page of a collection's vectors in ascending id order. Pass the
// answer's NextPageToken back as PageToken (with the same collection and filter) for the next
// page; it is empty after the last one.
func (c *VectorClient) ListVectorsPage(ctx context.Context, req *pb.ListVectorsRequest) (*pb.ListVectorsResponse, error) {
	return c.client.ListVectors(ctx, req)
}

// ListVectors iterates over every vector of a collection (or those matching opts.Filter) in
// ascending id order, fetching a page at a time as the loop needs it:
//
//	for v, err := range vc.ListVectors(ctx, "books", client.ListOptions{PageSize: 500}) {
//		if err != nil { return err }
//		...
//	}
//
// A vector stored for the whole loop is yielded exactly once, whatever is written meanwhile. An
// error ends the iteration after it is yielded; breaking out of the loop fetches nothing more.
func (c *VectorClient) ListVectors(ctx context.Context, collection string, opts ListOptions) iter.Seq2[*pb.Vector, error] {
	return func(yield func(*pb.Vector, error) bool) {
		size, err := wire.Int32("page_size", opts.PageSize)
		if err != nil {
			yield(nil, err)
			return
		}
		req := &pb.ListVectorsRequest{CollectionName: collection, Filter: opts.Filter, PageSize: size, IncludeVector: opts.IncludeVector}
		for {
			page, err := c.client.ListVectors(ctx, req)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, v := range page.GetVectors() {
				if !yield(v, nil) {
					return
				}
			}
			if page.GetNextPageToken() == "" {
				return
			}
			req.PageToken = page.GetNextPageToken()
		}
	}
}

// CountVectors returns the exact number of vectors in a collection, or of those matching filter
// (nil: all).
func (c *VectorClient) CountVectors(ctx context.Context, collection string, filter *structpb.Struct) (int64, error) {
	res, err := c.client.CountVectors(ctx, &pb.CountVectorsRequest{CollectionName: collection, Filter: filter})
	return res.GetCount(), err
}

// CreateAlias makes alias a second name for collection, accepted wherever a collection name is
// (DropCollection excepted). AlreadyExists when the name is taken by an alias or a collection.
func (c *VectorClient) CreateAlias(ctx context.Context, alias, collection string) error {
	res, err := c.client.CreateAlias(ctx, &pb.CreateAliasRequest{Alias: alias, CollectionName: collection})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// AlterAlias points an existing alias at another collection, atomically: a call through the
// alias runs wholly on the old or wholly on the new collection.
func (c *VectorClient) AlterAlias(ctx context.Context, alias, collection string) error {
	res, err := c.client.AlterAlias(ctx, &pb.AlterAliasRequest{Alias: alias, CollectionName: collection})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// DropAlias removes an alias; its collection stays. NotFound when there is no such alias.
func (c *VectorClient) DropAlias(ctx context.Context, alias string) error {
	res, err := c.client.DropAlias(ctx, &pb.DropAliasRequest{Alias: alias})
	if err != nil {
		return err
	}
	return checkSuccess(res.GetSuccess(), res.GetMessage())
}

// ListAliases returns the aliases sorted by name: all of them when collection is "", else those
// of that collection (or of the collection an alias given there names).
func (c *VectorClient) ListAliases(ctx context.Context, collection string) ([]*pb.Alias, error) {
	res, err := c.client.ListAliases(ctx, &pb.ListAliasesRequest{CollectionName: collection})
	return res.GetAliases(), err
}
