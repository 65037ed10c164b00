package wire

import (
	"math"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Int32 narrows a Go int to a proto int32 field without silently wrapping.
func Int32(field string, v int) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, status.Errorf(codes.InvalidArgument, "%s: %d does not fit in int32", field, v)
	}
	return int32(v), nil
}
