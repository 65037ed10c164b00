package vector_test

import (
	"context"
	"math"
	"net"
	"sync"
	"testing"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// These tests check the adapter's conversions of the text fields against a small in-process
// server; the integration package runs the same calls against the real service.

type textServer struct {
	pb.UnimplementedVectorServiceServer

	mu     sync.Mutex
	insert *pb.InsertRequest
	search *pb.SearchRequest
}

func (s *textServer) Insert(_ context.Context, req *pb.InsertRequest) (*pb.InsertResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insert = req
	return &pb.InsertResponse{Success: true, Ids: []string{"p1"}}, nil
}

func (s *textServer) Search(_ context.Context, req *pb.SearchRequest) (*pb.SearchResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.search = req
	meta, _ := structpb.NewStruct(map[string]any{"source": "almanac"})
	return &pb.SearchResponse{Results: []*pb.SearchResult{{Id: "tide", Score: 2.5, Text: "Tides follow the moon.", Metadata: meta}}}, nil
}

func (s *textServer) GetCollectionInfo(_ context.Context, req *pb.GetCollectionInfoRequest) (*pb.GetCollectionInfoResponse, error) {
	res := &pb.GetCollectionInfoResponse{Name: req.GetName(), VectorDim: 384}
	if req.GetName() == "bound" {
		res.EmbeddingModel = &pb.EmbeddingBinding{Name: "all-MiniLM-L6-v2", Provider: "transformers", ModelId: "Xenova/all-MiniLM-L6-v2", Weights: "dtype=fp32", Dimension: 384}
	}
	return res, nil
}

func startText(t *testing.T) (*textServer, *vector.GrpcVectorAdapter) {
	t.Helper()
	server := &textServer{}
	srv := grpc.NewServer()
	pb.RegisterVectorServiceServer(srv, server)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	vc, err := client.NewVectorClient(lis.Addr().String(), client.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = vc.Close() })
	return server, vector.NewGrpcVectorAdapter(vc)
}

func TestSearchTextConvertsOptionsAndHits(t *testing.T) {
	server, vectors := startText(t)
	hits, err := vectors.SearchText(context.Background(), "docs", "why do tides happen?", vector.TextSearchOptions{
		TopK:   3,
		Filter: map[string]any{"lang": "en"},
		Mode:   vector.ModeHybrid,
		RRFK:   20,
		Rerank: &vector.RerankOptions{Model: "all-MiniLM-L6-v2-rerank", Candidates: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	filter, _ := structpb.NewStruct(map[string]any{"lang": "en"})
	want := &pb.SearchRequest{CollectionName: "docs", QueryText: "why do tides happen?", Options: &pb.SearchOptions{
		Topk: 3, Filter: filter, Mode: "hybrid", RrfK: 20, Rerank: &pb.SearchRerank{Model: "all-MiniLM-L6-v2-rerank", Candidates: 12},
	}}
	if !proto.Equal(server.search, want) {
		t.Fatalf("sent %v, want %v", server.search, want)
	}
	if len(hits) != 1 || hits[0].ID != "tide" || hits[0].Text != "Tides follow the moon." || hits[0].Metadata["source"] != "almanac" {
		t.Fatalf("hits = %+v", hits)
	}
}

func TestSearchTextWithoutRerankSendsNone(t *testing.T) {
	server, vectors := startText(t)
	if _, err := vectors.SearchText(context.Background(), "docs", "tides", vector.TextSearchOptions{TopK: 5, Mode: vector.ModeText}); err != nil {
		t.Fatal(err)
	}
	if server.search.GetOptions().GetRerank() != nil || server.search.GetOptions().GetMode() != "text" {
		t.Fatalf("options sent: %v", server.search.GetOptions())
	}
}

func TestSearchTextRefusesAnRRFKBeyondInt32(t *testing.T) {
	server, vectors := startText(t)
	_, err := vectors.SearchText(context.Background(), "docs", "tides", vector.TextSearchOptions{TopK: 5, RRFK: math.MaxInt32 + 1})
	if status.Code(err) != codes.InvalidArgument || server.search != nil {
		t.Fatalf("err = %v, request sent: %v; want InvalidArgument before any call", err, server.search)
	}
}

func TestInsertCarriesText(t *testing.T) {
	server, vectors := startText(t)
	if _, err := vectors.Insert(context.Background(), "docs", []vector.Vector{{ID: "p1", Text: "Tides follow the moon."}}); err != nil {
		t.Fatal(err)
	}
	want := &pb.InsertRequest{CollectionName: "docs", Vectors: []*pb.Vector{{Id: "p1", Text: "Tides follow the moon."}}}
	if !proto.Equal(server.insert, want) {
		t.Fatalf("sent %v, want %v", server.insert, want)
	}
}

func TestCollectionInfoReportsTheBinding(t *testing.T) {
	_, vectors := startText(t)
	info, err := vectors.GetCollectionInfo(context.Background(), "bound")
	if err != nil {
		t.Fatal(err)
	}
	want := vector.EmbeddingBinding{Name: "all-MiniLM-L6-v2", Provider: "transformers", ModelID: "Xenova/all-MiniLM-L6-v2", Weights: "dtype=fp32", Dimension: 384}
	if info.EmbeddingModel == nil || *info.EmbeddingModel != want {
		t.Fatalf("binding = %+v, want %+v", info.EmbeddingModel, want)
	}
	info, err = vectors.GetCollectionInfo(context.Background(), "plain")
	if err != nil {
		t.Fatal(err)
	}
	if info.EmbeddingModel != nil {
		t.Fatalf("an unbound collection reports a binding: %+v", info.EmbeddingModel)
	}
}
