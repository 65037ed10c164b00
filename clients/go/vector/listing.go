package vector

import (
	"context"
	"iter"
)

// ListOptions shapes a listing. PageSize is how many vectors each call to the service fetches
// (1–1000; 0: the service's default, 100); Filter is the filter language of SearchOptions.
type ListOptions struct {
	PageSize      int
	IncludeVector bool
	Filter        map[string]any
}

// Alias is a second name for a collection.
type Alias struct {
	Alias      string
	Collection string
}

// VectorLister pages through and counts a collection's vectors. It is not part of the seed's
// VectorDatabase, so implementations of that interface written elsewhere keep compiling;
// GrpcVectorAdapter implements both.
type VectorLister interface {
	// ListVectors yields every vector (or those matching opts.Filter) in ascending id order; a
	// vector stored for the whole loop is yielded exactly once. An error ends the iteration.
	ListVectors(ctx context.Context, collection string, opts ListOptions) iter.Seq2[Vector, error]
	CountVectors(ctx context.Context, collection string, filter map[string]any) (int64, error)
}

// AliasManager creates, switches, drops and lists collection aliases. Every VectorDatabase call
// taking a collection name accepts an alias too, except DropCollection.
type AliasManager interface {
	CreateAlias(ctx context.Context, alias, collection string) error
	// AlterAlias switches the alias atomically: each call through it sees the old collection or the new.
	AlterAlias(ctx context.Context, alias, collection string) error
	DropAlias(ctx context.Context, alias string) error
	// ListAliases lists every alias when collection is "", else that collection's.
	ListAliases(ctx context.Context, collection string) ([]Alias, error)
}
