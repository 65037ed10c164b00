package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

type book struct {
	Title string `json:"title"`
	Pages int    `json:"pages,omitempty"`
}

type genre string

func TestToStructAcceptsWhatGoCodeHolds(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	pages := 412
	in := map[string]any{
		"nil":         nil,
		"bool":        true,
		"string":      "x",
		"int":         42,
		"int64_max53": int64(1) << 53,
		"uint8":       uint8(7),
		"float32":     float32(0.5),
		"json_number": json.Number("3.25"),
		"strings":     []string{"a", "b"},
		"ints":        [2]int{1, 2},
		"nested":      map[string]int{"n": 1},
		"anys":        []any{"a", 1, map[string]any{"deep": []float64{1.5}}},
		"struct":      book{Title: "Dune"},
		"pointer":     &pages,
		"nil_pointer": (*int)(nil),
		"nil_slice":   []string(nil),
		"time":        when,
		"named":       genre("scifi"),
		"bytes":       []byte("hi"),
		"value":       structpb.NewStringValue("already"),
	}
	s, err := ToStruct("metadata", in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"nil": nil, "bool": true, "string": "x", "int": 42.0, "int64_max53": float64(1 << 53), "uint8": 7.0,
		"float32": 0.5, "json_number": 3.25, "strings": []any{"a", "b"}, "ints": []any{1.0, 2.0},
		"nested": map[string]any{"n": 1.0}, "anys": []any{"a", 1.0, map[string]any{"deep": []any{1.5}}},
		"struct": map[string]any{"title": "Dune"}, "pointer": 412.0, "nil_pointer": nil, "nil_slice": nil,
		"time": "2024-05-01T12:00:00Z", "named": "scifi", "bytes": "aGk=", "value": "already",
	}
	if got := FromStruct(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, want)
	}
}

func TestToStructNilAndEmpty(t *testing.T) {
	if s, err := ToStruct("p", nil); s != nil || err != nil {
		t.Fatalf("nil map: %v, %v", s, err)
	}
	if m := FromStruct(nil); m != nil {
		t.Fatalf("nil Struct: %v", m)
	}
	s, err := ToStruct("p", map[string]any{})
	if err != nil || s == nil || len(s.Fields) != 0 {
		t.Fatalf("empty map: %v, %v", s, err)
	}
}

func TestToStructRefusesWithThePath(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		path string
	}{
		{"integer beyond 2^53", map[string]any{"id": int64(1)<<53 + 1}, "vectors[2].metadata.id"},
		{"unsigned beyond 2^53", map[string]any{"id": uint64(math.MaxUint64)}, "vectors[2].metadata.id"},
		{"NaN", map[string]any{"score": math.NaN()}, "vectors[2].metadata.score"},
		{"infinity inside a list", map[string]any{"xs": []float64{1, math.Inf(1)}}, "vectors[2].metadata.xs[1]"},
		{"map with int keys", map[string]any{"m": map[int]string{1: "a"}}, "vectors[2].metadata.m"},
		{"channel deep inside", map[string]any{"a": map[string]any{"b": []any{make(chan int)}}}, "vectors[2].metadata.a.b[0]"},
		{"function", map[string]any{"f": func() {}}, "vectors[2].metadata.f"},
		{"bad json.Number", map[string]any{"n": json.Number("1e")}, "vectors[2].metadata.n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ToStruct("vectors[2].metadata", c.in)
			if status.Code(err) != codes.InvalidArgument || !strings.HasPrefix(status.Convert(err).Message(), c.path+": ") {
				t.Fatalf("want InvalidArgument at %s, got %v", c.path, err)
			}
		})
	}
}

func TestInt32(t *testing.T) {
	if v, err := Int32("topk", 10); v != 10 || err != nil {
		t.Fatalf("Int32(10) = %v, %v", v, err)
	}
	if _, err := Int32("topk", math.MaxInt32+1); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("overflow: %v", err)
	}
}
