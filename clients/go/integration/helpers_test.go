package integration

import (
	"math"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// wantCode fails the test unless err is a gRPC status error with the given code.
func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got success", want)
	}
	if _, ok := status.FromError(err); !ok {
		t.Fatalf("want a %s status error, got a non-status error: %v", want, err)
	}
	if got := status.Code(err); got != want {
		t.Fatalf("want code %s, got %s: %v", want, got, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func squaredL2(a, b []float32) float64 {
	var sum float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return sum
}

func norm(a []float32) float64 {
	var sum float64
	for _, x := range a {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum)
}

// sorted returns a sorted copy, for comparing id sets.
func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
