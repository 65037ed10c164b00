package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	pb "github.com/codetaoist/taishang-ai/clients/go/gen/taishang/ai/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// These tests use a small in-process Go server to check what only the client decides: headers,
// default deadlines, TLS, and how StreamGenerateText ends. The integration package checks the
// client against the real service.

// fakeServer records what reached it and plays scripted streams.
type fakeServer struct {
	pb.UnimplementedVectorServiceServer
	pb.UnimplementedModelServiceServer

	mu          sync.Mutex
	auth        []string
	deadline    time.Duration // time left when the call arrived; 0 without a deadline
	streamEnded chan error    // the server-side context's error when a "block" stream ends
}

func (f *fakeServer) Health(ctx context.Context, _ *emptypb.Empty) (*pb.HealthResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = md.Get("authorization")
	f.deadline = 0
	if d, ok := ctx.Deadline(); ok {
		f.deadline = time.Until(d)
	}
	return &pb.HealthResponse{Healthy: true, Message: "fake"}, nil
}

func (f *fakeServer) CreateCollection(context.Context, *pb.CreateCollectionRequest) (*pb.CreateCollectionResponse, error) {
	return &pb.CreateCollectionResponse{Success: false, Message: "disk full"}, nil
}

func (f *fakeServer) DropCollection(context.Context, *pb.DropCollectionRequest) (*emptypb.Empty, error) {
	return nil, status.Error(codes.NotFound, "collection 'x' not found")
}

func (f *fakeServer) StreamGenerateText(req *pb.StreamGenerateTextRequest, stream grpc.ServerStreamingServer[pb.StreamGenerateTextResponse]) error {
	chunk := func(text string) error { return stream.Send(&pb.StreamGenerateTextResponse{TextChunk: text}) }
	finished := func() error { return stream.Send(&pb.StreamGenerateTextResponse{Finished: true}) }
	switch req.GetPrompt() {
	case "normal":
		_ = chunk("Hello")
		_ = chunk(", world")
		return finished()
	case "no-finish":
		return chunk("cut short")
	case "after-finish":
		_ = finished()
		return chunk("stray")
	case "fail":
		_ = chunk("partial")
		return status.Error(codes.Unavailable, "provider went away")
	case "block":
		_ = chunk("first")
		<-stream.Context().Done()
		f.streamEnded <- stream.Context().Err()
		return stream.Context().Err()
	}
	return status.Error(codes.NotFound, "model not found")
}

func startFake(t *testing.T, opts ...grpc.ServerOption) (*fakeServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeServer{streamEnded: make(chan error, 1)}
	srv := grpc.NewServer(opts...)
	pb.RegisterVectorServiceServer(srv, fake)
	pb.RegisterModelServiceServer(srv, fake)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return fake, lis.Addr().String()
}

func TestNeedsATransportChoice(t *testing.T) {
	_, err := client.NewVectorClient("127.0.0.1:1")
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "WithInsecure") {
		t.Fatalf("want InvalidArgument naming the options, got %v", err)
	}
}

func TestAPIKeyAndDefaultTimeout(t *testing.T) {
	fake, addr := startFake(t)
	vc, err := client.NewVectorClient(addr, client.WithInsecure(), client.WithAPIKey("k-123"), client.WithTimeout(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()

	if _, err := vc.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(fake.auth) != 1 || fake.auth[0] != "Bearer k-123" {
		t.Fatalf("authorization = %v", fake.auth)
	}
	if fake.deadline < 2*time.Second || fake.deadline > 3*time.Second {
		t.Fatalf("a call without a deadline should get the 3 s default, the server saw %s", fake.deadline)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := vc.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.deadline < 19*time.Second {
		t.Fatalf("the caller's own deadline should win, the server saw %s", fake.deadline)
	}

	unbounded, err := client.NewVectorClient(addr, client.WithInsecure(), client.WithTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	defer unbounded.Close()
	if _, err := unbounded.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fake.deadline != 0 || len(fake.auth) != 0 {
		t.Fatalf("WithTimeout(0) and no key: the server saw deadline %s, authorization %v", fake.deadline, fake.auth)
	}
}

func TestTLSWithAPIKey(t *testing.T) {
	serverCert, pool := selfSignedCert(t)
	fake, addr := startFake(t, grpc.Creds(credentials.NewServerTLSFromCert(&serverCert)))
	vc, err := client.NewVectorClient(addr, client.WithTLS(credentials.NewClientTLSFromCert(pool, "")), client.WithAPIKey("k-tls"))
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	if _, err := vc.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(fake.auth) != 1 || fake.auth[0] != "Bearer k-tls" {
		t.Fatalf("authorization over TLS = %v", fake.auth)
	}
}

func TestErrorsStayStatusErrors(t *testing.T) {
	_, addr := startFake(t)
	vc, err := client.NewVectorClient(addr, client.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	if err := vc.DropCollection(context.Background(), "x"); status.Code(err) != codes.NotFound {
		t.Fatalf("want NotFound, got %v", err)
	}
	// success=false under an OK status (which this service never sends) is still an error.
	if err := vc.CreateCollection(context.Background(), "x", "", 3, nil); status.Code(err) != codes.Unknown || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("want Unknown with the server's message, got %v", err)
	}
}

func TestStreamEndings(t *testing.T) {
	fake, addr := startFake(t)
	mc, err := client.NewModelClient(addr, client.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	ctx := context.Background()

	collect := func(prompt string) (texts []string, finished int, errs []error) {
		for msg, err := range mc.StreamGenerateText(ctx, "m", prompt, nil) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			texts = append(texts, msg.GetTextChunk())
			if msg.GetFinished() {
				finished++
			}
		}
		return
	}

	texts, finished, errs := collect("normal")
	if strings.Join(texts, "") != "Hello, world" || finished != 1 || len(errs) != 0 {
		t.Fatalf("normal: %q, %d finished, errors %v", texts, finished, errs)
	}
	texts, _, errs = collect("no-finish")
	if len(texts) != 1 || len(errs) != 1 || status.Code(errs[0]) != codes.Internal {
		t.Fatalf("a stream without its finished message: %q, %v", texts, errs)
	}
	_, finished, errs = collect("after-finish")
	if finished != 1 || len(errs) != 1 || status.Code(errs[0]) != codes.Internal {
		t.Fatalf("a message after the finished one: %d finished, %v", finished, errs)
	}
	texts, _, errs = collect("fail")
	if len(texts) != 1 || len(errs) != 1 || status.Code(errs[0]) != codes.Unavailable {
		t.Fatalf("a failure mid-stream: %q, %v", texts, errs)
	}
	texts, _, errs = collect("unknown")
	if len(texts) != 0 || len(errs) != 1 || status.Code(errs[0]) != codes.NotFound {
		t.Fatalf("a failure before the first chunk: %q, %v", texts, errs)
	}

	// Breaking out of the loop cancels the call on the server.
	for range mc.StreamGenerateText(ctx, "m", "block", nil) {
		break
	}
	select {
	case err := <-fake.streamEnded:
		if err != context.Canceled {
			t.Fatalf("server-side context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server's stream was not cancelled after break")
	}
}

// selfSignedCert makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "taishang-ai test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
