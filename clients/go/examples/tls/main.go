// Command tls lists the service's collections over TLS with the Go client: the server
// certificate is checked against a private CA and, for mutual TLS (TLS_CLIENT_CA_FILE on the
// service), a client certificate is presented. test/integration/tls.test.ts runs it against the
// real service.
//
//	go run ./examples/tls -addr 127.0.0.1:50051 -ca ca.pem [-cert client.pem -key client.key]
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/codetaoist/taishang-ai/clients/go/client"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:50051", "the service's gRPC address")
	caFile := flag.String("ca", "", "PEM CA that signed the server certificate")
	certFile := flag.String("cert", "", "PEM client certificate, for mutual TLS")
	keyFile := flag.String("key", "", "PEM key of the client certificate")
	flag.Parse()
	names, err := listOverTLS(*addr, *caFile, *certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("collections: [%s]\n", strings.Join(names, ","))
}

func listOverTLS(addr, caFile, certFile, keyFile string) ([]string, error) {
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	conn, err := client.NewConn(addr, client.WithTLS(credentials.NewTLS(config)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return client.NewVectorClientFromConn(conn).ListCollections(ctx)
}
