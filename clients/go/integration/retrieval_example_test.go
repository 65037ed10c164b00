package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The retrieval example (examples/retrieval) end to end against the real service: built, run as
// a user would run it, and judged by what it prints and its exit status.
func TestRetrievalExample(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the example is built with the go command: %v", err)
	}
	binary := filepath.Join(t.TempDir(), "retrieval")
	build, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(build, goBin, "build", "-o", binary, "./examples/retrieval")
	cmd.Dir = ".." // the module root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/retrieval: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd = exec.CommandContext(ctx, binary, "-addr", svc.GRPCAddr, "-topk", "3")
	cmd.Env = append(os.Environ(), "TAISHANG_AI_API_KEY="+apiKey)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the example failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	t.Logf("the example printed:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, want := range []string{"bound to " + embeddingModel, "inserted 12 passages", "top: tides"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "dropped retrieval_example_") {
		t.Errorf("last line %q, want the collection dropped", last)
	}
	names, err := vectors.ListCollections(ctxFor(t, 10*time.Second))
	must(t, err)
	for _, n := range names {
		if strings.HasPrefix(n, "retrieval_example_") {
			t.Errorf("the example left %s behind", n)
		}
	}
}
