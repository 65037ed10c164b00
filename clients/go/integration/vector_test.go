package integration

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// newCollection creates a collection named after the test and drops it when the test ends.
func newCollection(t *testing.T, dim int, params vector.IndexParams) string {
	t.Helper()
	name := "go_" + strings.NewReplacer("/", "_", "-", "_").Replace(t.Name())
	ctx := ctxFor(t, 30*time.Second)
	must(t, vectors.CreateCollection(ctx, name, "created by "+t.Name(), dim, params))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = vectors.DropCollection(ctx, name)
	})
	return name
}

func TestHealth(t *testing.T) {
	h, err := vectors.Health(ctxFor(t, 10*time.Second))
	must(t, err)
	if !h.Healthy || h.Message == "" {
		t.Fatalf("health = %+v, want healthy with a message", h)
	}
}

// Create, Has, List, GetCollectionInfo, GetCollectionStats, Drop, and their error codes.
func TestCollectionLifecycle(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	const name = "go_lifecycle"
	before := time.Now().Add(-time.Second)

	exists, err := vectors.HasCollection(ctx, name)
	must(t, err)
	if exists {
		t.Fatalf("%s exists before it was created", name)
	}
	must(t, vectors.CreateCollection(ctx, name, "books for the Go client", 3, vector.IndexParams{MetricType: vector.MetricCosine}))
	exists, err = vectors.HasCollection(ctx, name)
	must(t, err)
	if !exists {
		t.Fatal("HasCollection = false after CreateCollection")
	}
	names, err := vectors.ListCollections(ctx)
	must(t, err)
	if !slices.Contains(names, name) {
		t.Fatalf("ListCollections = %v, want it to contain %s", names, name)
	}

	info, err := vectors.GetCollectionInfo(ctx, name)
	must(t, err)
	if info.Name != name || info.Description != "books for the Go client" || info.VectorDim != 3 ||
		info.IndexParams.MetricType != vector.MetricCosine || info.IndexParams.IndexType != "" {
		t.Fatalf("GetCollectionInfo = %+v", info)
	}
	if info.CreatedAt.Before(before) || info.CreatedAt.After(time.Now().Add(time.Second)) || info.UpdatedAt.Before(info.CreatedAt) {
		t.Fatalf("timestamps %v / %v are not around now", info.CreatedAt, info.UpdatedAt)
	}
	stats, err := vectors.GetCollectionStats(ctx, name)
	must(t, err)
	if stats.Name != name || stats.VectorCount != 0 {
		t.Fatalf("GetCollectionStats = %+v, want 0 vectors", stats)
	}

	wantCode(t, vectors.CreateCollection(ctx, name, "", 3, vector.IndexParams{}), codes.AlreadyExists)
	wantCode(t, vectors.CreateCollection(ctx, "1-not-a-name", "", 3, vector.IndexParams{}), codes.InvalidArgument)
	wantCode(t, vectors.CreateCollection(ctx, "go_zero_dim", "", 0, vector.IndexParams{}), codes.InvalidArgument)
	wantCode(t, vectors.CreateCollection(ctx, "go_bad_metric", "", 3, vector.IndexParams{MetricType: "HAMMING"}), codes.InvalidArgument)
	wantCode(t, vectors.CreateCollection(ctx, "go_too_wide", "", math.MaxInt32+1, vector.IndexParams{}), codes.InvalidArgument)

	must(t, vectors.DropCollection(ctx, name))
	exists, err = vectors.HasCollection(ctx, name)
	must(t, err)
	if exists {
		t.Fatal("HasCollection = true after DropCollection")
	}
	_, err = vectors.GetCollectionInfo(ctx, name)
	wantCode(t, err, codes.NotFound)
	_, err = vectors.GetCollectionStats(ctx, name)
	wantCode(t, err, codes.NotFound)
	wantCode(t, vectors.DropCollection(ctx, name), codes.NotFound)
}

// A small library: metadata of every JSON kind, so filters and round-trips can be checked.
var library = []vector.Vector{
	{ID: "dune", Vector: []float32{0.9, 0.1, 0, 0}, Metadata: map[string]any{"genre": "scifi", "year": 1965, "tags": []string{"desert", "classic"}, "author": map[string]any{"name": "Herbert"}, "lang": "en", "in_print": true}},
	{ID: "foundation", Vector: []float32{0.8, 0.3, 0.1, 0}, Metadata: map[string]any{"genre": "scifi", "year": 1951, "author": map[string]any{"name": "Asimov"}, "lang": "en", "in_print": true}},
	{ID: "solaris", Vector: []float32{0.7, 0, 0.5, 0.1}, Metadata: map[string]any{"genre": "scifi", "year": 1961, "author": map[string]any{"name": "Lem"}, "lang": "pl", "in_print": false}},
	{ID: "emma", Vector: []float32{0, 0.2, 0.9, 0.1}, Metadata: map[string]any{"genre": "romance", "year": 1815, "author": map[string]any{"name": "Austen"}, "in_print": true}},
	{ID: "neuromancer", Vector: []float32{0.6, 0.6, 0.2, 0.3}, Metadata: map[string]any{"genre": "cyberpunk", "year": 1984, "author": map[string]any{"name": "Gibson"}, "lang": "en", "in_print": true}},
	{ID: "hobbit", Vector: []float32{0.1, 0.9, 0.1, 0.2}, Metadata: map[string]any{"genre": "fantasy", "year": 1937, "author": map[string]any{"name": "Tolkien"}, "lang": "en", "in_print": true}},
}

// Insert, GetByID (metadata round-trip), Search with and without filters, Upsert, Delete, stats.
func TestWritesSearchAndGet(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	col := newCollection(t, 4, vector.IndexParams{MetricType: vector.MetricCosine})

	ids, err := vectors.Insert(ctx, col, library)
	must(t, err)
	if want := []string{"dune", "foundation", "solaris", "emma", "neuromancer", "hobbit"}; !slices.Equal(ids, want) {
		t.Fatalf("Insert ids = %v, want %v (input order)", ids, want)
	}

	// GetByID: the vector as float32 and the metadata with JSON's types.
	got, err := vectors.GetByID(ctx, col, "dune")
	must(t, err)
	wantMeta := map[string]any{"genre": "scifi", "year": float64(1965), "tags": []any{"desert", "classic"}, "author": map[string]any{"name": "Herbert"}, "lang": "en", "in_print": true}
	if got.ID != "dune" || !slices.Equal(got.Vector, library[0].Vector) || !reflect.DeepEqual(got.Metadata, wantMeta) {
		t.Fatalf("GetByID = %+v, want metadata %v", got, wantMeta)
	}
	_, err = vectors.GetByID(ctx, col, "no-such-id")
	wantCode(t, err, codes.NotFound)

	// Unfiltered search: closest first, COSINE scores as computed here, vectors only on request.
	query := []float32{1, 0, 0, 0}
	hits, err := vectors.Search(ctx, col, query, vector.SearchOptions{TopK: 3})
	must(t, err)
	if ids := hitIDs(hits); !slices.Equal(ids, []string{"dune", "foundation", "solaris"}) {
		t.Fatalf("top 3 = %v", ids)
	}
	for _, h := range hits {
		if want := cosine(query, vectorOf(h.ID)); math.Abs(float64(h.Score)-want) > 1e-5 {
			t.Fatalf("%s: score %v, want cosine %v", h.ID, h.Score, want)
		}
		if h.Vector != nil || h.Metadata["genre"] == nil {
			t.Fatalf("%s: want metadata and no vector by default, got %+v", h.ID, h)
		}
	}
	hits, err = vectors.Search(ctx, col, query, vector.SearchOptions{TopK: 1, IncludeVector: true})
	must(t, err)
	if len(hits) != 1 || !slices.Equal(hits[0].Vector, library[0].Vector) {
		t.Fatalf("IncludeVector: got %+v", hits)
	}

	// Filters as map[string]any, typed Go slices included; each returns the k nearest matches.
	filters := []struct {
		name   string
		filter map[string]any
		want   []string // nearest first
	}{
		{"bare value is $eq", map[string]any{"genre": "scifi"}, []string{"dune", "foundation", "solaris"}},
		{"range", map[string]any{"year": map[string]any{"$gte": 1950, "$lt": 1970}}, []string{"dune", "foundation", "solaris"}},
		{"$in with a []string", map[string]any{"genre": map[string]any{"$in": []string{"fantasy", "cyberpunk"}}}, []string{"neuromancer", "hobbit"}},
		{"$nin and a bool", map[string]any{"genre": map[string]any{"$nin": []string{"scifi"}}, "in_print": true}, []string{"neuromancer", "hobbit", "emma"}},
		{"dotted key into nested metadata", map[string]any{"author.name": "Lem"}, []string{"solaris"}},
		{"$or with $exists false", map[string]any{"$or": []map[string]any{{"lang": "pl"}, {"lang": map[string]any{"$exists": false}}}}, []string{"solaris", "emma"}},
		{"$not", map[string]any{"$not": map[string]any{"year": map[string]any{"$lt": 1960}}}, []string{"dune", "solaris", "neuromancer"}},
		{"$ne matches records without the field", map[string]any{"lang": map[string]any{"$ne": "en"}}, []string{"solaris", "emma"}},
		{"nothing matches", map[string]any{"genre": "western"}, nil},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			hits, err := vectors.Search(ctx, col, query, vector.SearchOptions{TopK: 5, Filter: f.filter})
			must(t, err)
			if ids := hitIDs(hits); !slices.Equal(ids, f.want) {
				t.Fatalf("filter %v: got %v, want %v", f.filter, ids, f.want)
			}
		})
	}

	// An empty id gets a generated one.
	generated, err := vectors.Insert(ctx, col, []vector.Vector{{Vector: []float32{0, 0, 0.1, 1}, Metadata: map[string]any{"genre": "poetry"}}})
	must(t, err)
	if len(generated) != 1 || len(generated[0]) < 8 {
		t.Fatalf("an empty id should get a generated one, got %q", generated)
	}
	if _, err := vectors.GetByID(ctx, col, generated[0]); err != nil {
		t.Fatalf("GetByID of the generated id: %v", err)
	}

	// Upsert replaces whole records and adds new ones; Delete ignores missing ids.
	ids, err = vectors.Upsert(ctx, col, []vector.Vector{
		{ID: "dune", Vector: []float32{0, 0, 0, 1}, Metadata: map[string]any{"genre": "scifi", "year": 1965, "edition": "2nd"}},
		{ID: "ubik", Vector: []float32{0.5, 0.5, 0.5, 0.5}, Metadata: map[string]any{"genre": "scifi", "year": 1969}},
	})
	must(t, err)
	if !slices.Equal(ids, []string{"dune", "ubik"}) {
		t.Fatalf("Upsert ids = %v", ids)
	}
	got, err = vectors.GetByID(ctx, col, "dune")
	must(t, err)
	if !slices.Equal(got.Vector, []float32{0, 0, 0, 1}) || !reflect.DeepEqual(got.Metadata, map[string]any{"genre": "scifi", "year": float64(1965), "edition": "2nd"}) {
		t.Fatalf("after Upsert, dune = %+v", got)
	}
	wantCount(t, ctx, col, 8)
	must(t, vectors.Delete(ctx, col, []string{"emma", "ubik", "never-stored"}))
	_, err = vectors.GetByID(ctx, col, "emma")
	wantCode(t, err, codes.NotFound)
	wantCount(t, ctx, col, 6)
	hits, err = vectors.Search(ctx, col, []float32{0, 0.2, 0.9, 0.1}, vector.SearchOptions{TopK: 10})
	must(t, err)
	if slices.Contains(hitIDs(hits), "emma") || slices.Contains(hitIDs(hits), "ubik") || len(hits) != 6 {
		t.Fatalf("after Delete, search saw %v", hitIDs(hits))
	}
}

// Writes are all or nothing; every bad input is an InvalidArgument (or NotFound) status.
func TestWriteAndSearchErrors(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	col := newCollection(t, 4, vector.IndexParams{})
	_, err := vectors.Insert(ctx, col, library[:2])
	must(t, err)

	// An id already stored: AlreadyExists, and the new id of the same batch is not written either.
	_, err = vectors.Insert(ctx, col, []vector.Vector{{ID: "fresh", Vector: []float32{1, 1, 1, 1}}, {ID: "dune", Vector: []float32{1, 0, 0, 0}}})
	wantCode(t, err, codes.AlreadyExists)
	_, err = vectors.GetByID(ctx, col, "fresh")
	wantCode(t, err, codes.NotFound)

	bad := []struct {
		name string
		err  func() error
		want codes.Code
	}{
		{"insert of the wrong dimension", func() error {
			_, err := vectors.Insert(ctx, col, []vector.Vector{{ID: "short", Vector: []float32{1, 2}}})
			return err
		}, codes.InvalidArgument},
		{"duplicate ids in one write", func() error {
			_, err := vectors.Upsert(ctx, col, []vector.Vector{{ID: "x", Vector: []float32{1, 0, 0, 0}}, {ID: "x", Vector: []float32{0, 1, 0, 0}}})
			return err
		}, codes.InvalidArgument},
		{"search of the wrong dimension", func() error {
			_, err := vectors.Search(ctx, col, []float32{1, 0, 0}, vector.SearchOptions{TopK: 1})
			return err
		}, codes.InvalidArgument},
		{"top-k 0", func() error {
			_, err := vectors.Search(ctx, col, []float32{1, 0, 0, 0}, vector.SearchOptions{})
			return err
		}, codes.InvalidArgument},
		{"top-k over 1024", func() error {
			_, err := vectors.Search(ctx, col, []float32{1, 0, 0, 0}, vector.SearchOptions{TopK: 1025})
			return err
		}, codes.InvalidArgument},
		{"unknown filter operator", func() error {
			_, err := vectors.Search(ctx, col, []float32{1, 0, 0, 0}, vector.SearchOptions{TopK: 1, Filter: map[string]any{"genre": map[string]any{"$regex": "sci.*"}}})
			return err
		}, codes.InvalidArgument},
		{"object as a filter value", func() error {
			_, err := vectors.Search(ctx, col, []float32{1, 0, 0, 0}, vector.SearchOptions{TopK: 1, Filter: map[string]any{"author": map[string]any{"name": "Herbert"}}})
			return err
		}, codes.InvalidArgument},
		{"search of a missing collection", func() error {
			_, err := vectors.Search(ctx, "go_nowhere", []float32{1, 0, 0, 0}, vector.SearchOptions{TopK: 1})
			return err
		}, codes.NotFound},
		{"insert into a missing collection", func() error {
			_, err := vectors.Insert(ctx, "go_nowhere", library[:1])
			return err
		}, codes.NotFound},
		// Refused by the client before any call, with the same code and the offending path.
		{"metadata the wire cannot carry", func() error {
			_, err := vectors.Insert(ctx, col, []vector.Vector{{ID: "c", Vector: []float32{1, 0, 0, 0}, Metadata: map[string]any{"ch": make(chan int)}}})
			return err
		}, codes.InvalidArgument},
		{"an integer a float64 would round", func() error {
			_, err := vectors.Insert(ctx, col, []vector.Vector{{ID: "big", Vector: []float32{1, 0, 0, 0}, Metadata: map[string]any{"n": int64(1) << 60}}})
			return err
		}, codes.InvalidArgument},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) { wantCode(t, b.err(), b.want) })
	}
	wantCount(t, ctx, col, 2)
}

// CreateIndex, HasIndex, DropIndex, Compact; an L2 index changes the metric and the score order.
func TestIndexesAndCompact(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	col := newCollection(t, 4, vector.IndexParams{})
	var batch []vector.Vector
	for i := range 300 {
		f := float32(i)
		batch = append(batch, vector.Vector{ID: fmt.Sprintf("v%03d", i), Vector: []float32{f, f / 2, 300 - f, 1}, Metadata: map[string]any{"even": i%2 == 0}})
	}
	_, err := vectors.Insert(ctx, col, batch)
	must(t, err)

	has, err := vectors.HasIndex(ctx, col)
	must(t, err)
	if has {
		t.Fatal("HasIndex = true before CreateIndex")
	}
	must(t, vectors.CreateIndex(ctx, col, vector.IndexParams{IndexType: vector.IndexHNSW, MetricType: vector.MetricL2, Params: map[string]any{"m": 16, "ef_construction": 64}}))
	has, err = vectors.HasIndex(ctx, col)
	must(t, err)
	info, err := vectors.GetCollectionInfo(ctx, col)
	must(t, err)
	if !has || info.IndexParams.IndexType != vector.IndexHNSW || info.IndexParams.MetricType != vector.MetricL2 {
		t.Fatalf("after CreateIndex: HasIndex=%v, info=%+v", has, info.IndexParams)
	}

	// L2: the score is the squared distance, lowest first.
	query := []float32{100, 50, 200, 1}
	hits, err := vectors.Search(ctx, col, query, vector.SearchOptions{TopK: 3, Filter: map[string]any{"even": true}})
	must(t, err)
	if ids := hitIDs(hits); !slices.Equal(ids, []string{"v100", "v098", "v102"}) && !slices.Equal(ids, []string{"v100", "v102", "v098"}) {
		t.Fatalf("L2 top 3 even = %v", ids)
	}
	for i, h := range hits {
		if want := squaredL2(query, batch[idIndex(h.ID)].Vector); math.Abs(float64(h.Score)-want) > 1e-2 {
			t.Fatalf("%s: score %v, want squared distance %v", h.ID, h.Score, want)
		}
		if i > 0 && h.Score < hits[i-1].Score {
			t.Fatalf("L2 scores not ascending: %v", hits)
		}
	}

	wantCode(t, vectors.CreateIndex(ctx, col, vector.IndexParams{IndexType: "ANNOY"}), codes.InvalidArgument)
	wantCode(t, vectors.CreateIndex(ctx, "go_nowhere", vector.IndexParams{IndexType: vector.IndexFlat}), codes.NotFound)
	_, err = vectors.HasIndex(ctx, "go_nowhere")
	wantCode(t, err, codes.NotFound)

	must(t, vectors.DropIndex(ctx, col))
	has, err = vectors.HasIndex(ctx, col)
	must(t, err)
	if has {
		t.Fatal("HasIndex = true after DropIndex")
	}
	must(t, vectors.DropIndex(ctx, col)) // none declared: still fine

	must(t, vectors.Delete(ctx, col, []string{"v000", "v001"}))
	must(t, vectors.Compact(ctx, col))
	wantCount(t, ctx, col, 298)
	hits, err = vectors.Search(ctx, col, query, vector.SearchOptions{TopK: 1})
	must(t, err)
	if len(hits) != 1 || hits[0].ID != "v100" {
		t.Fatalf("after Compact, nearest = %v", hitIDs(hits))
	}
	wantCode(t, vectors.Compact(ctx, "go_nowhere"), codes.NotFound)
}

// Messages above grpc-go's 4 MiB default go through both ways: the client allows 64 MiB, as the
// server does (a client left at the default fails on the same search).
func TestLargeMessages(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	const dim, n = 1536, 1100 // ≈ 6.8 MiB written, ≈ 6.3 MiB read back
	col := newCollection(t, dim, vector.IndexParams{})
	batch := make([]vector.Vector, n)
	for i := range batch {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32((i*31+j*17)%97) + 1
		}
		batch[i] = vector.Vector{ID: fmt.Sprintf("big%04d", i), Vector: v}
	}
	ids, err := vectors.Insert(ctx, col, batch)
	must(t, err)
	if len(ids) != n {
		t.Fatalf("inserted %d ids, want %d", len(ids), n)
	}
	search := vector.SearchOptions{TopK: 1024, IncludeVector: true}
	hits, err := vectors.Search(ctx, col, batch[0].Vector, search)
	must(t, err)
	if len(hits) != 1024 || hits[0].ID != "big0000" || len(hits[1023].Vector) != dim {
		t.Fatalf("got %d hits, first %q", len(hits), hits[0].ID)
	}

	small, err := client.NewVectorClient(svc.GRPCAddr, client.WithInsecure(), client.WithAPIKey(apiKey),
		client.WithDialOptions(grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(4<<20))))
	must(t, err)
	defer small.Close()
	_, err = vector.NewGrpcVectorAdapter(small).Search(ctx, col, batch[0].Vector, search)
	wantCode(t, err, codes.ResourceExhausted)
}

func wantCount(t *testing.T, ctx context.Context, col string, want int64) {
	t.Helper()
	stats, err := vectors.GetCollectionStats(ctx, col)
	must(t, err)
	if stats.VectorCount != want {
		t.Fatalf("%s holds %d vectors, want %d", col, stats.VectorCount, want)
	}
}

func hitIDs(hits []vector.SearchResult) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func vectorOf(id string) []float32 {
	for _, v := range library {
		if v.ID == id {
			return v.Vector
		}
	}
	return nil
}

func idIndex(id string) int {
	var i int
	fmt.Sscanf(id, "v%03d", &i)
	return i
}
