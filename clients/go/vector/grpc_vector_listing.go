package vector

import (
	"context"
	"iter"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
)

var (
	_ VectorLister = (*GrpcVectorAdapter)(nil)
	_ AliasManager = (*GrpcVectorAdapter)(nil)
)

// ListVectors yields every vector (or those matching opts.Filter) in ascending id order, a page
// of opts.PageSize fetched at a time; Vector is set only when opts.IncludeVector is.
func (a *GrpcVectorAdapter) ListVectors(ctx context.Context, collection string, opts ListOptions) iter.Seq2[Vector, error] {
	return func(yield func(Vector, error) bool) {
		filter, err := wire.ToStruct("filter", opts.Filter)
		if err != nil {
			yield(Vector{}, err)
			return
		}
		for v, err := range a.client.ListVectors(ctx, collection, client.ListOptions{Filter: filter, PageSize: opts.PageSize, IncludeVector: opts.IncludeVector}) {
			if err != nil {
				yield(Vector{}, err)
				return
			}
			out := Vector{ID: v.GetId(), Metadata: wire.FromStruct(v.GetMetadata()), Text: v.GetText()}
			if len(v.GetVector()) > 0 {
				out.Vector = v.GetVector()
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}

// CountVectors returns the exact number of vectors, or of those matching filter (nil: all).
func (a *GrpcVectorAdapter) CountVectors(ctx context.Context, collection string, filter map[string]any) (int64, error) {
	f, err := wire.ToStruct("filter", filter)
	if err != nil {
		return 0, err
	}
	return a.client.CountVectors(ctx, collection, f)
}

// CreateAlias makes alias a second name for collection.
func (a *GrpcVectorAdapter) CreateAlias(ctx context.Context, alias, collection string) error {
	return a.client.CreateAlias(ctx, alias, collection)
}

// AlterAlias points alias at another collection, atomically.
func (a *GrpcVectorAdapter) AlterAlias(ctx context.Context, alias, collection string) error {
	return a.client.AlterAlias(ctx, alias, collection)
}

// DropAlias removes alias; its collection stays.
func (a *GrpcVectorAdapter) DropAlias(ctx context.Context, alias string) error {
	return a.client.DropAlias(ctx, alias)
}

// ListAliases lists every alias when collection is "", else that collection's; sorted by alias.
func (a *GrpcVectorAdapter) ListAliases(ctx context.Context, collection string) ([]Alias, error) {
	res, err := a.client.ListAliases(ctx, collection)
	if err != nil {
		return nil, err
	}
	out := make([]Alias, len(res))
	for i, al := range res {
		out[i] = Alias{Alias: al.GetAlias(), Collection: al.GetCollectionName()}
	}
	return out, nil
}
