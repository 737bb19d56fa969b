package emulator

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"time"
)

// Transport returns an http.RoundTripper that hands each request to the
// emulator in process, with no port: give it to the SDK as its transport. It
// reports the request as written (httptrace's WroteRequest) as soon as the
// emulator has it, as a network transport would.
func (e *Emulator) Transport() http.RoundTripper { return transport{e} }

type transport struct{ e *Emulator }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if tr := httptrace.ContextClientTrace(ctx); tr != nil && tr.WroteRequest != nil {
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
	in := req.Clone(ctx)
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:1"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	if dropped(func() { t.e.ServeHTTP(rec, in) }) {
		return nil, io.ErrUnexpectedEOF // as a connection closed before the answer
	}
	if err := ctx.Err(); err != nil {
		return nil, err // the emulator stalled past the caller's deadline
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// dropped runs serve, reporting whether it aborted its answer as a server
// closing the connection would.
func dropped(serve func()) (aborted bool) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			aborted = true
		}
	}()
	serve()
	return false
}

// Server is the emulator listening on a port.
type Server struct {
	URL string
	srv *http.Server
	ln  net.Listener
}

// Start serves e on addr ("127.0.0.1:0" picks a free port).
func Start(e *Emulator, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}, ln: ln}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server and its connections.
func (s *Server) Close() error { return s.srv.Close() }
