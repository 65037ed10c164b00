package client

import "context"

// bearerKey is per-RPC credentials carrying an API key as "authorization: Bearer <key>".
type bearerKey struct {
	key        string
	requireTLS bool
}

func (b bearerKey) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.key}, nil
}

// RequireTransportSecurity makes grpc-go refuse to send the key over plaintext unless the
// caller chose WithInsecure explicitly.
func (b bearerKey) RequireTransportSecurity() bool { return b.requireTLS }
