// Package wire converts Go values to the contract's types, chiefly google.protobuf.Struct (the
// type of metadata, filters and parameters).
//
// It accepts more than structpb.NewStruct: typed slices and maps ([]string, map[string]int),
// pointers, and anything encoding/json can marshal (structs, time.Time). It refuses what would
// not survive the trip: integers beyond ±2^53 (a float64 would round them), NaN and infinities.
// Failures are InvalidArgument status errors naming the path, like the server's own.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// maxExactInt is the largest integer a float64 (a JSON/Struct number) holds exactly.
const maxExactInt = 1 << 53

// ToStruct converts m; a nil map gives a nil Struct (the field stays unset). path names m in
// error messages, e.g. "vectors[3].metadata".
func ToStruct(path string, m map[string]any) (*structpb.Struct, error) {
	if m == nil {
		return nil, nil
	}
	fields := make(map[string]*structpb.Value, len(m))
	for k, v := range m {
		pv, err := ToValue(join(path, k), v)
		if err != nil {
			return nil, err
		}
		fields[k] = pv
	}
	return &structpb.Struct{Fields: fields}, nil
}

// FromStruct converts s back: numbers come back as float64, lists as []any, objects as
// map[string]any (JSON's types). A nil Struct gives a nil map.
func FromStruct(s *structpb.Struct) map[string]any {
	if s == nil {
		return nil
	}
	return s.AsMap()
}

// ToValue converts one Go value; path names it in error messages.
func ToValue(path string, v any) (*structpb.Value, error) {
	switch x := v.(type) {
	case nil:
		return structpb.NewNullValue(), nil
	case *structpb.Value:
		return x, nil
	case *structpb.Struct:
		return structpb.NewStructValue(x), nil
	case *structpb.ListValue:
		return structpb.NewListValue(x), nil
	case bool:
		return structpb.NewBoolValue(x), nil
	case string:
		return structpb.NewStringValue(x), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, invalid(path, "%q is not a number", string(x))
		}
		return number(path, f)
	case map[string]any:
		s, err := ToStruct(path, x)
		if err != nil {
			return nil, err
		}
		return structpb.NewStructValue(s), nil
	case []any:
		return list(path, len(x), func(i int) any { return x[i] })
	case []byte:
		// As structpb.NewValue does: bytes travel as base64 text.
		return structpb.NewValue(x)
	}
	return reflected(path, reflect.ValueOf(v))
}

func reflected(path string, rv reflect.Value) (*structpb.Value, error) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return structpb.NewNullValue(), nil
		}
		if _, ok := rv.Interface().(json.Marshaler); ok {
			return viaJSON(path, rv.Interface())
		}
		return ToValue(path, rv.Elem().Interface())
	case reflect.Bool:
		return structpb.NewBoolValue(rv.Bool()), nil
	case reflect.String:
		if _, ok := rv.Interface().(json.Marshaler); ok {
			return viaJSON(path, rv.Interface())
		}
		return structpb.NewStringValue(rv.String()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if n > maxExactInt || n < -maxExactInt {
			return nil, invalid(path, "integer %d is beyond ±2^53 and would lose precision; send it as a string", n)
		}
		return structpb.NewNumberValue(float64(n)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rv.Uint()
		if n > maxExactInt {
			return nil, invalid(path, "integer %d is beyond 2^53 and would lose precision; send it as a string", n)
		}
		return structpb.NewNumberValue(float64(n)), nil
	case reflect.Float32, reflect.Float64:
		return number(path, rv.Float())
	case reflect.Slice:
		if rv.IsNil() {
			return structpb.NewNullValue(), nil
		}
		return list(path, rv.Len(), func(i int) any { return rv.Index(i).Interface() })
	case reflect.Array:
		return list(path, rv.Len(), func(i int) any { return rv.Index(i).Interface() })
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, invalid(path, "map keys must be strings, not %s", rv.Type().Key())
		}
		if rv.IsNil() {
			return structpb.NewNullValue(), nil
		}
		fields := make(map[string]*structpb.Value, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			pv, err := ToValue(join(path, k), it.Value().Interface())
			if err != nil {
				return nil, err
			}
			fields[k] = pv
		}
		return structpb.NewStructValue(&structpb.Struct{Fields: fields}), nil
	case reflect.Struct:
		return viaJSON(path, rv.Interface())
	}
	return nil, invalid(path, "values of type %s cannot be sent", rv.Type())
}

// viaJSON converts what encoding/json knows how to write (structs, time.Time, Marshalers).
func viaJSON(path string, v any) (*structpb.Value, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, invalid(path, "%v", err)
	}
	var decoded any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		return nil, invalid(path, "%v", err)
	}
	return ToValue(path, decoded)
}

func number(path string, f float64) (*structpb.Value, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, invalid(path, "%v is not a finite number", f)
	}
	return structpb.NewNumberValue(f), nil
}

func list(path string, n int, at func(int) any) (*structpb.Value, error) {
	values := make([]*structpb.Value, n)
	for i := range n {
		pv, err := ToValue(fmt.Sprintf("%s[%d]", path, i), at(i))
		if err != nil {
			return nil, err
		}
		values[i] = pv
	}
	return structpb.NewListValue(&structpb.ListValue{Values: values}), nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func invalid(path, format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, "%s: %s", path, fmt.Sprintf(format, args...))
}
