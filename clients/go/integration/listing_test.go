package integration

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/vector"
	"google.golang.org/grpc/codes"
)

// collect drains a listing; the first error fails the test.
func collect(t *testing.T, seq func(func(vector.Vector, error) bool)) []vector.Vector {
	t.Helper()
	var out []vector.Vector
	for v, err := range seq {
		must(t, err)
		out = append(out, v)
	}
	return out
}

func idsOf(vs []vector.Vector) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// ListVectors' iterator over pages, CountVectors, with and without filters, against the service.
func TestListAndCount(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	name := newCollection(t, 4, vector.IndexParams{})
	_, err := vectors.Insert(ctx, name, library)
	must(t, err)

	all := collect(t, vectors.ListVectors(ctx, name, vector.ListOptions{PageSize: 2}))
	want := sorted(idsOf(library))
	if got := idsOf(all); !reflect.DeepEqual(got, want) {
		t.Fatalf("listed %v, want %v (ascending ids)", got, want)
	}
	for _, v := range all {
		i := slices.IndexFunc(library, func(b vector.Vector) bool { return b.ID == v.ID })
		if v.Vector != nil || v.Metadata["genre"] != library[i].Metadata["genre"] {
			t.Fatalf("%s listed as %+v: want its metadata and no vector", v.ID, v)
		}
	}
	withVectors := collect(t, vectors.ListVectors(ctx, name, vector.ListOptions{IncludeVector: true}))
	for _, v := range withVectors {
		i := slices.IndexFunc(library, func(b vector.Vector) bool { return b.ID == v.ID })
		if !reflect.DeepEqual(v.Vector, library[i].Vector) {
			t.Fatalf("%s listed with vector %v, want %v", v.ID, v.Vector, library[i].Vector)
		}
	}
	scifi := collect(t, vectors.ListVectors(ctx, name, vector.ListOptions{PageSize: 1, Filter: map[string]any{"genre": "scifi"}}))
	if got := idsOf(scifi); !reflect.DeepEqual(got, []string{"dune", "foundation", "solaris"}) {
		t.Fatalf("filtered listing %v", got)
	}

	n := 0
	for _, err := range vectors.ListVectors(ctx, name, vector.ListOptions{PageSize: 1}) {
		must(t, err)
		if n++; n == 2 {
			break
		}
	}

	count, err := vectors.CountVectors(ctx, name, nil)
	must(t, err)
	scifiCount, err := vectors.CountVectors(ctx, name, map[string]any{"genre": "scifi", "year": map[string]any{"$lt": 1960}})
	must(t, err)
	if count != int64(len(library)) || scifiCount != 1 {
		t.Fatalf("counts %d and %d, want %d and 1", count, scifiCount, len(library))
	}

	for _, err := range vectors.ListVectors(ctx, name, vector.ListOptions{PageSize: 1001}) {
		wantCode(t, err, codes.InvalidArgument)
	}
	for _, err := range vectors.ListVectors(ctx, "go_no_such_collection", vector.ListOptions{}) {
		wantCode(t, err, codes.NotFound)
	}
	_, err = vectors.CountVectors(ctx, name, map[string]any{"genre": map[string]any{"$regex": "sci"}})
	wantCode(t, err, codes.InvalidArgument)
}

// Aliases through the adapter: every call through the alias, the switch, and the refusals.
func TestAliases(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	first := newCollection(t, 4, vector.IndexParams{})
	second := first + "_next"
	must(t, vectors.CreateCollection(ctx, second, "", 4, vector.IndexParams{}))
	alias := first + "_live"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = vectors.DropAlias(ctx, alias)
		_ = vectors.DropCollection(ctx, second)
	})
	_, err := vectors.Insert(ctx, first, library[:2])
	must(t, err)
	_, err = vectors.Insert(ctx, second, library[2:])
	must(t, err)

	must(t, vectors.CreateAlias(ctx, alias, first))
	aliases, err := vectors.ListAliases(ctx, first)
	must(t, err)
	if !reflect.DeepEqual(aliases, []vector.Alias{{Alias: alias, Collection: first}}) {
		t.Fatalf("ListAliases(%s) = %v", first, aliases)
	}
	info, err := vectors.GetCollectionInfo(ctx, alias)
	must(t, err)
	hits, err := vectors.Search(ctx, alias, library[0].Vector, vector.SearchOptions{TopK: 10})
	must(t, err)
	if info.Name != first || len(hits) != 2 {
		t.Fatalf("through the alias: info names %q, %d hits; want %q and 2", info.Name, len(hits), first)
	}

	must(t, vectors.AlterAlias(ctx, alias, second))
	count, err := vectors.CountVectors(ctx, alias, nil)
	must(t, err)
	listed := collect(t, vectors.ListVectors(ctx, alias, vector.ListOptions{}))
	if count != int64(len(library)-2) || len(listed) != len(library)-2 {
		t.Fatalf("after the switch: count %d, %d listed; want %d", count, len(listed), len(library)-2)
	}

	wantCode(t, vectors.DropCollection(ctx, second), codes.FailedPrecondition)
	wantCode(t, vectors.DropCollection(ctx, alias), codes.FailedPrecondition)
	wantCode(t, vectors.CreateAlias(ctx, alias, first), codes.AlreadyExists)
	wantCode(t, vectors.CreateAlias(ctx, first, second), codes.AlreadyExists)
	wantCode(t, vectors.CreateAlias(ctx, alias+"_2", alias), codes.InvalidArgument)
	wantCode(t, vectors.CreateAlias(ctx, alias+"_2", "go_no_such_collection"), codes.NotFound)
	wantCode(t, vectors.AlterAlias(ctx, "go_no_such_alias", first), codes.NotFound)

	must(t, vectors.DropAlias(ctx, alias))
	wantCode(t, vectors.DropAlias(ctx, alias), codes.NotFound)
	aliases, err = vectors.ListAliases(ctx, "")
	must(t, err)
	if slices.ContainsFunc(aliases, func(a vector.Alias) bool { return a.Alias == alias }) {
		t.Fatalf("%s still listed after DropAlias: %v", alias, aliases)
	}
	_, err = vectors.GetCollectionInfo(ctx, alias)
	wantCode(t, err, codes.NotFound)
}
