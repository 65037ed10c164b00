package vector

import (
	"context"

	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/internal/wire"
)

var _ TextSearcher = (*GrpcVectorAdapter)(nil)

// CreateBoundCollection creates a collection bound to a registered embedding model, of that
// model's dimension.
func (a *GrpcVectorAdapter) CreateBoundCollection(ctx context.Context, name, description, embeddingModel string, indexParams IndexParams) error {
	params, err := indexParamsToPB("index_params", indexParams)
	if err != nil {
		return err
	}
	return a.client.CreateBoundCollection(ctx, name, description, embeddingModel, params)
}

// SearchText ranks a bound collection's records against a text query, best first.
func (a *GrpcVectorAdapter) SearchText(ctx context.Context, collection, query string, options TextSearchOptions) ([]SearchResult, error) {
	opts, err := textSearchOptionsToPB(options)
	if err != nil {
		return nil, err
	}
	hits, err := a.client.SearchText(ctx, collection, query, opts)
	if err != nil {
		return nil, err
	}
	return searchResultsFromPB(hits), nil
}

func textSearchOptionsToPB(o TextSearchOptions) (*pb.SearchOptions, error) {
	topk, err := wire.Int32("options.topk", o.TopK)
	if err != nil {
		return nil, err
	}
	rrfK, err := wire.Int32("options.rrf_k", o.RRFK)
	if err != nil {
		return nil, err
	}
	filter, err := wire.ToStruct("options.filter", o.Filter)
	if err != nil {
		return nil, err
	}
	out := &pb.SearchOptions{Topk: topk, IncludeVector: o.IncludeVector, Filter: filter, Mode: string(o.Mode), RrfK: rrfK}
	if o.Rerank != nil {
		candidates, err := wire.Int32("options.rerank.candidates", o.Rerank.Candidates)
		if err != nil {
			return nil, err
		}
		out.Rerank = &pb.SearchRerank{Model: o.Rerank.Model, Candidates: candidates}
	}
	return out, nil
}

func bindingFromPB(b *pb.EmbeddingBinding) *EmbeddingBinding {
	if b == nil {
		return nil
	}
	return &EmbeddingBinding{Name: b.GetName(), Provider: b.GetProvider(), ModelID: b.GetModelId(), Weights: b.GetWeights(), Dimension: int(b.GetDimension())}
}
