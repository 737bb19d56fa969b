package request

import (
	"context"
	"testing"
)

// TestWith: the first request an instance is given is cold, the next not;
// an Info given again (its ID replaced) keeps what it was.
func TestWith(t *testing.T) {
	served.Store(0)
	first := With(context.Background(), Info{ID: "a", Caller: "ak:x", Credentials: Credentials{AccessKeyID: "id", AccessKeySecret: "s"}})
	in, ok := From(first)
	if !ok || !in.Cold || in.ID != "a" || in.Caller != "ak:x" {
		t.Fatalf("first: %+v %v", in, ok)
	}
	in.ID = "b"
	again, _ := From(With(first, in))
	if !again.Cold || again.ID != "b" || ID(With(first, in)) != "b" {
		t.Fatalf("given again: %+v", again)
	}
	if second, _ := From(With(context.Background(), Info{ID: "c"})); second.Cold {
		t.Fatalf("second: %+v", second)
	}
	if c, ok := CredentialsOf(first); !ok || c.AccessKeyID != "id" {
		t.Fatalf("credentials: %+v %v", c, ok)
	}
	if _, ok := CredentialsOf(With(context.Background(), Info{ID: "d"})); ok {
		t.Fatal("credentials where none were given")
	}
	if _, ok := From(context.Background()); ok || ID(context.Background()) != "" {
		t.Fatal("a context given nothing carries something")
	}
}
