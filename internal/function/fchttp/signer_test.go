package fchttp_test

import (
	"net/http"
	"testing"

	"github.com/axg-binder/binder/internal/function/fchttp"
)

// TestSigner: the AccessKey ID that signed a call, the identity that keys
// are kept apart by on Function Compute under AXG_AUTH=platform.
func TestSigner(t *testing.T) {
	for _, c := range []struct{ auth, want string }{
		{"ACS3-HMAC-SHA256 Credential=LTAI5tExample,SignedHeaders=host;x-acs-date,Signature=abc", "ak:LTAI5tExample"},
		{"ACS3-HMAC-SHA256 SignedHeaders=host, Credential=STS.NUexample,Signature=abc", "ak:STS.NUexample"},
		{"FC LTAI4Gexample:c2lnbmF0dXJl", "ak:LTAI4Gexample"},
		{"Bearer tok", ""},
		{"ACS3-HMAC-SHA256 Signature=abc", ""},
		{"FC :sig", ""},
		{"", ""},
	} {
		if got := fchttp.Signer(http.Header{"Authorization": {c.auth}}); got != c.want {
			t.Errorf("%q: %q, want %q", c.auth, got, c.want)
		}
	}
}
