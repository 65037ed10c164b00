package client

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// checkSuccess turns success=false under an OK status into an error. This service never answers
// that way (failures are status errors), but a server built from the seed's sketch might.
func checkSuccess(success bool, message string) error {
	if success {
		return nil
	}
	return status.Errorf(codes.Unknown, "taishang-ai answered success=false: %s", message)
}
