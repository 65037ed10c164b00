package client_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// textServer records the requests of the text calls and answers each with one canned hit, so the
// tests see exactly what the client put on the wire.
type textServer struct {
	pb.UnimplementedVectorServiceServer

	mu      sync.Mutex
	created *pb.CreateCollectionRequest
	insert  *pb.InsertRequest
	search  *pb.SearchRequest
}

func (s *textServer) CreateCollection(_ context.Context, req *pb.CreateCollectionRequest) (*pb.CreateCollectionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = req
	return &pb.CreateCollectionResponse{Success: true, Message: "created"}, nil
}

func (s *textServer) Insert(_ context.Context, req *pb.InsertRequest) (*pb.InsertResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insert = req
	ids := make([]string, len(req.GetVectors()))
	for i := range ids {
		ids[i] = "gen-" + string(rune('a'+i))
	}
	return &pb.InsertResponse{Success: true, Ids: ids}, nil
}

func (s *textServer) Search(_ context.Context, req *pb.SearchRequest) (*pb.SearchResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.search = req
	return &pb.SearchResponse{Results: []*pb.SearchResult{{Id: "tide", Score: 0.5, Text: "Tides follow the moon."}}}, nil
}

func startText(t *testing.T) (*textServer, *client.VectorClient) {
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
	return server, vc
}

func TestCreateBoundCollectionLeavesTheDimensionToTheModel(t *testing.T) {
	server, vc := startText(t)
	params := &pb.IndexParams{MetricType: "COSINE"}
	if err := vc.CreateBoundCollection(context.Background(), "docs", "passages", "all-MiniLM-L6-v2", params); err != nil {
		t.Fatal(err)
	}
	want := &pb.CreateCollectionRequest{Name: "docs", Description: "passages", EmbeddingModel: "all-MiniLM-L6-v2", IndexParams: params}
	if !proto.Equal(server.created, want) {
		t.Fatalf("sent %v, want %v (vector_dim 0: the model's dimension)", server.created, want)
	}
}

func TestInsertTextsSendsTextOnlyRecords(t *testing.T) {
	server, vc := startText(t)
	ids, err := vc.InsertTexts(context.Background(), "docs", []string{"one", "two"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != "gen-a" || ids[1] != "gen-b" {
		t.Fatalf("ids = %v, want the server's in input order", ids)
	}
	want := &pb.InsertRequest{CollectionName: "docs", Vectors: []*pb.Vector{{Text: "one"}, {Text: "two"}}}
	if !proto.Equal(server.insert, want) {
		t.Fatalf("sent %v, want %v", server.insert, want)
	}
}

func TestSearchTextSendsTheQueryTextAndOptions(t *testing.T) {
	server, vc := startText(t)
	options := &pb.SearchOptions{Topk: 3, Mode: client.SearchModeHybrid, RrfK: 20, Rerank: &pb.SearchRerank{Model: "all-MiniLM-L6-v2-rerank", Candidates: 12}}
	hits, err := vc.SearchText(context.Background(), "docs", "why do tides happen?", options)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].GetText() != "Tides follow the moon." {
		t.Fatalf("hits = %v, want the canned hit with its text", hits)
	}
	want := &pb.SearchRequest{CollectionName: "docs", QueryText: "why do tides happen?", Options: options}
	if !proto.Equal(server.search, want) {
		t.Fatalf("sent %v, want %v (query_text, no query_vector)", server.search, want)
	}
}
