package integration

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/codetaoist/taishang-ai/clients/go/client"
	"github.com/codetaoist/taishang-ai/clients/go/model"
)

// vectorClientWith dials the service with the given options added to the usual ones; closed
// when the test ends.
func vectorClientWith(t *testing.T, opts ...client.Option) *client.VectorClient {
	t.Helper()
	all := append([]client.Option{client.WithInsecure(), client.WithTimeout(30 * time.Second)}, opts...)
	vc, err := client.NewVectorClient(svc.GRPCAddr, all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = vc.Close() })
	return vc
}

// The service was started with API keys (main_test.go); every other test in this package gets
// through only because WithAPIKey sends its key. These check the refusals against the same service.
func TestAPIKeyIsNeededWhenTheServiceHasKeys(t *testing.T) {
	ctx := context.Background()
	none := vectorClientWith(t)
	_, err := none.ListCollections(ctx)
	wantCode(t, err, codes.Unauthenticated)
	// The Health RPC stays open without a key (docs/API.md, Authentication).
	if _, err := none.Health(ctx); err != nil {
		t.Fatalf("Health without a key: %v", err)
	}

	wrong := vectorClientWith(t, client.WithAPIKey("go-integration-unknown-key-0003"))
	_, err = wrong.ListCollections(ctx)
	wantCode(t, err, codes.Unauthenticated)

	if _, err := vectorClient.ListCollections(ctx); err != nil {
		t.Fatalf("ListCollections with the configured key: %v", err)
	}
}

func TestAPIKeyRolesAreEnforced(t *testing.T) {
	ctx := context.Background()
	reader := vectorClientWith(t, client.WithAPIKey(readOnlyKey))
	if _, err := reader.ListCollections(ctx); err != nil {
		t.Fatalf("a read key lists collections: %v", err)
	}
	const name = "go_auth_read_only"
	wantCode(t, reader.CreateCollection(ctx, name, "", 4, nil), codes.PermissionDenied)
	// Nothing was created: the admin key sees no such collection.
	exists, err := vectorClient.HasCollection(ctx, name)
	must(t, err)
	if exists {
		t.Fatalf("collection %q exists after a refused CreateCollection", name)
	}
	// The model adapter's calls carry the key too: the read key embeds, and may not register.
	mc, err := client.NewModelClient(svc.GRPCAddr, client.WithInsecure(), client.WithTimeout(30*time.Second), client.WithAPIKey(readOnlyKey))
	must(t, err)
	t.Cleanup(func() { _ = mc.Close() })
	readerModels := model.NewModelAdapter(mc)
	embedding, err := readerModels.GenerateEmbedding(ctx, embeddingModel, "keys and roles")
	must(t, err)
	if embedding.Dimension != embeddingDim {
		t.Fatalf("embedding has %d dimensions, want %d", embedding.Dimension, embeddingDim)
	}
	err = readerModels.RegisterModel(ctx, model.ModelConfig{Name: "go-auth-refused", Provider: "transformers", ModelID: "Xenova/all-MiniLM-L6-v2", Enabled: true})
	wantCode(t, err, codes.PermissionDenied)
}
