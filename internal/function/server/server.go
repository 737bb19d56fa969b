// Package server serves an http.Handler on a listener until its context ends,
// then shuts down cleanly: what the local server and the Function Compute
// web function share.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Options tune a server.
type Options struct {
	// ReadTimeout bounds the time a request's headers and body take to
	// arrive (AXG_READ_TIMEOUT): a slow or silent client never holds a
	// connection longer, with or without a token.
	ReadTimeout time.Duration
	// Grace is the time requests under way get to finish on shutdown.
	Grace time.Duration
}

// Serve serves h on ln until ctx ends; requests under way then get
// o.Grace to finish. It prints "stopped" to stdout once they have.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, o Options, stdout io.Writer) error {
	srv := &http.Server{Handler: h, ReadTimeout: o.ReadTimeout, ReadHeaderTimeout: o.ReadTimeout, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(jsonErrors{ln}) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), o.Grace+time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}
