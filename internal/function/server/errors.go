package server

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/httpapi"
	"github.com/axg-binder/binder/internal/core/redact"
)

// jsonErrors wraps a listener so that the answers net/http writes itself,
// before any handler runs (a malformed request line, headers too large), go
// out in the contract's JSON error shape rather than as text/plain.
type jsonErrors struct{ net.Listener }

func (l jsonErrors) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return errConn{c}, nil
}

type errConn struct{ net.Conn }

// goErrorHeaders end the status line of an answer net/http writes itself
// (net/http's errorHeaders): the handler's answers never carry them.
var goErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

func (c errConn) Write(b []byte) (int, error) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(b, []byte("HTTP/1.1 5")) {
		return c.Conn.Write(b)
	}
	i := bytes.Index(b, goErrorHeaders)
	if i < 0 || bytes.IndexByte(b[:i], '\n') >= 0 {
		return c.Conn.Write(b)
	}
	status := string(b[len("HTTP/1.1 "):i])
	detail := string(b[i+len(goErrorHeaders):])
	code := core.CodeInvalidParameters
	if len(status) >= 3 && status[:3] == "431" {
		code = core.CodeRequestTooLarge
	}
	body, _ := json.Marshal(struct {
		Code      core.Code `json:"Code"`
		Message   string    `json:"Message"`
		RequestId string    `json:"RequestId"`
	}{code, "the request cannot be read: " + redact.Clip(redact.Text(detail), 256), httpapi.NewRequestID()})
	body = append(body, '\n')
	out := "HTTP/1.1 " + status + "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + string(body)
	if _, err := c.Conn.Write([]byte(out)); err != nil {
		return 0, err
	}
	return len(b), nil
}
