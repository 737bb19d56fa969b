package fchttp

import (
	"io"
	"net/http"
)

func readAll(res *http.Response) []byte {
	b, _ := io.ReadAll(res.Body) // a recorder's body: in memory, cannot fail
	return b
}
