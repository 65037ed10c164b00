// Package integration drives the Go client and adapters against the real service: TestMain
// starts this repository's src/main.ts on ephemeral loopback ports with a fresh data directory
// and the real local models, and stops it with SIGTERM at the end. `go test -short` skips them.
package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/internal/testservice"
	"github.com/codetaoist/taishang-ai/clients/go/model"
	"github.com/codetaoist/taishang-ai/clients/go/vector"
)

// The default models the service registers on first start (README, configuration).
const (
	embeddingModel = "all-MiniLM-L6-v2"
	textModel      = "SmolLM2-135M-Instruct"
	rerankModel    = "all-MiniLM-L6-v2-rerank"
	embeddingDim   = 384
)

// The service runs with API keys, as it would in production, so every test below reaches it
// through client.WithAPIKey: apiKey holds every role; readOnlyKey only `read` (auth_test.go).
const (
	apiKey      = "go-integration-all-roles-key-0001"
	readOnlyKey = "go-integration-read-only-key-0002"
)

var (
	svc          *testservice.Service
	vectorClient *client.VectorClient
	modelClient  *client.ModelClient
	vectors      *vector.GrpcVectorAdapter
	models       *model.ModelAdapter
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("integration: skipped in -short mode (they start the real service)")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	repo, err := testservice.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dataDir, err := os.MkdirTemp("", "taishang-ai-go-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)

	started := time.Now()
	svc, err = testservice.Start(context.Background(), testservice.Options{
		Repo:    repo,
		DataDir: dataDir,
		Env:     map[string]string{"API_KEYS": apiKey + "," + readOnlyKey + ":read"},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("integration: service ready at grpc %s, http %s in %s\n", svc.GRPCAddr, svc.HTTPURL, time.Since(started).Round(time.Millisecond))

	code := func() int {
		conn, err := client.NewConn(svc.GRPCAddr, client.WithInsecure(), client.WithTimeout(30*time.Second), client.WithAPIKey(apiKey))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer conn.Close()
		vectorClient = client.NewVectorClientFromConn(conn)
		modelClient = client.NewModelClientFromConn(conn)
		vectors = vector.NewGrpcVectorAdapter(vectorClient)
		models = model.NewModelAdapter(modelClient)
		return m.Run()
	}()

	if err := svc.Stop(15 * time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "integration: the service did not stop cleanly: %v\n%s", err, svc.Tail(10))
		if code == 0 {
			code = 1
		}
	}
	return code
}

// ctxFor bounds one test's calls.
func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
