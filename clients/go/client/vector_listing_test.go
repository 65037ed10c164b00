package client_test

import (
	"context"
	"math"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// listingServer pages through seven vectors with a token that is the next index, records every
// request, and fails a page when asked to.
type listingServer struct {
	pb.UnimplementedVectorServiceServer

	mu       sync.Mutex
	requests []*pb.ListVectorsRequest
	failAt   string // the page token whose page fails
	aliases  []string
}

var listed = []string{"a", "b", "c", "d", "e", "f", "g"}

func (s *listingServer) ListVectors(_ context.Context, req *pb.ListVectorsRequest) (*pb.ListVectorsResponse, error) {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if req.GetPageToken() != "" && req.GetPageToken() == s.failAt {
		return nil, status.Error(codes.Unavailable, "engine went away")
	}
	start := 0
	if req.GetPageToken() != "" {
		start, _ = strconv.Atoi(req.GetPageToken())
	}
	end := min(start+int(req.GetPageSize()), len(listed))
	res := &pb.ListVectorsResponse{}
	for _, id := range listed[start:end] {
		res.Vectors = append(res.Vectors, &pb.Vector{Id: id})
	}
	if end < len(listed) {
		res.NextPageToken = strconv.Itoa(end)
	}
	return res, nil
}

func (s *listingServer) CreateAlias(_ context.Context, req *pb.CreateAliasRequest) (*pb.CreateAliasResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aliases = append(s.aliases, req.GetAlias()+"->"+req.GetCollectionName())
	return &pb.CreateAliasResponse{Success: true, Message: "created"}, nil
}

func (s *listingServer) AlterAlias(context.Context, *pb.AlterAliasRequest) (*pb.AlterAliasResponse, error) {
	return &pb.AlterAliasResponse{Success: false, Message: "not switched"}, nil
}

func startListing(t *testing.T) (*listingServer, *client.VectorClient) {
	t.Helper()
	server := &listingServer{}
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

func TestListVectorsIteratesOverEveryPage(t *testing.T) {
	server, vc := startListing(t)
	filter, _ := structpb.NewStruct(map[string]any{"genre": "scifi"})
	var ids []string
	for v, err := range vc.ListVectors(context.Background(), "books", client.ListOptions{Filter: filter, PageSize: 3, IncludeVector: true}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.GetId())
	}
	if got := len(ids); got != 7 || ids[0] != "a" || ids[6] != "g" {
		t.Fatalf("ids = %v, want a..g", ids)
	}
	if len(server.requests) != 3 {
		t.Fatalf("%d calls, want 3 pages", len(server.requests))
	}
	for i, req := range server.requests {
		wantToken := []string{"", "3", "6"}[i]
		if req.GetPageToken() != wantToken || req.GetPageSize() != 3 || !req.GetIncludeVector() || req.GetCollectionName() != "books" ||
			req.GetFilter().GetFields()["genre"].GetStringValue() != "scifi" {
			t.Fatalf("page %d request = %v, want token %q and the same collection, size, filter and include_vector", i, req, wantToken)
		}
	}
}

func TestListVectorsStopsWhenTheLoopDoes(t *testing.T) {
	server, vc := startListing(t)
	n := 0
	for _, err := range vc.ListVectors(context.Background(), "books", client.ListOptions{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	// Three vectors came from the first two pages; nothing past them was fetched.
	if len(server.requests) != 2 {
		t.Fatalf("%d calls after breaking at the third vector, want 2", len(server.requests))
	}
}

func TestListVectorsEndsWithTheError(t *testing.T) {
	server, vc := startListing(t)
	server.failAt = "4"
	var ids []string
	var errs []error
	for v, err := range vc.ListVectors(context.Background(), "books", client.ListOptions{PageSize: 4}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, v.GetId())
	}
	if len(ids) != 4 || len(errs) != 1 || status.Code(errs[0]) != codes.Unavailable {
		t.Fatalf("ids %v, errors %v: want the first page, then the Unavailable error once", ids, errs)
	}

	// A page size no int32 holds is refused before any call.
	before := len(server.requests)
	for _, err := range vc.ListVectors(context.Background(), "books", client.ListOptions{PageSize: math.MaxInt32 + 1}) {
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("err = %v, want InvalidArgument", err)
		}
	}
	if len(server.requests) != before {
		t.Fatal("an out-of-range page size reached the server")
	}
}

func TestAliasCallsCheckSuccess(t *testing.T) {
	server, vc := startListing(t)
	if err := vc.CreateAlias(context.Background(), "live", "books_v2"); err != nil {
		t.Fatal(err)
	}
	if len(server.aliases) != 1 || server.aliases[0] != "live->books_v2" {
		t.Fatalf("server saw %v", server.aliases)
	}
	// success=false with an OK status is not a success.
	if err := vc.AlterAlias(context.Background(), "live", "books_v3"); status.Code(err) != codes.Unknown {
		t.Fatalf("AlterAlias answered success=false: err = %v, want Unknown", err)
	}
	if err := vc.DropAlias(context.Background(), "live"); status.Code(err) != codes.Unimplemented {
		t.Fatalf("DropAlias on a server without it: err = %v, want Unimplemented", err)
	}
}
