// Package dynalitetest starts dynalite — an in-memory server of DynamoDB's
// API, from npm — for a test, on a free loopback port, and stops it when
// the test ends.
package dynalitetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/axg-binder/binder/internal/testkit/servertest"
)

// Server is a running dynalite.
type Server struct {
	URL string
	cmd *exec.Cmd
}

// Start runs dynalite (npm install -g dynalite) on a free port, its tables
// created at once. Without it the test is skipped, except in CI (CI set),
// where it fails: .ci/run installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := servertest.Binary(t, "dynalite", "npm install -g dynalite")
	port := servertest.FreePort(t)
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--host", "127.0.0.1",
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(s.Stop)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("dynalite did not listen on %s: %v", s.URL, err)
		}
	}
}

// Stop kills the server.
func (s *Server) Stop() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() }

// Client is a DynamoDB client of the server, with made-up credentials.
func (s *Server) Client() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}, nil
		})})
}

// Table creates a table as template.yaml does (a string partition key
// "pk", on-demand) and returns its name.
func (s *Server) Table(t testing.TB, name string) string {
	t.Helper()
	c := s.Client()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
	// ACTIVE at once, but only after the call has answered.
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 5 * time.Millisecond })
	if err := w.Wait(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return name
}
