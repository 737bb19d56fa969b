package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The V3 signature (ACS3-HMAC-SHA256), which the vendor's current SDKs —
// the generated ones over the generic OpenAPI client, in Go, Node, Java and
// Python — sign with by default: an Authorization header over a canonical
// request of the method, path, query, the host and x-acs-* headers, and
// the body's SHA-256; the action and version in x-acs-action and
// x-acs-version. The real gateway takes it beside signature version 1.0.

// v3Algorithm names the scheme in Authorization.
const v3Algorithm = "ACS3-HMAC-SHA256"

// isV3 reports whether r is signed with the V3 scheme.
func isV3(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), v3Algorithm+" ")
}

// v3Auth is the Authorization header's parts.
type v3Auth struct {
	keyID, signature string
	signed           []string
}

func parseV3(h string) (v3Auth, bool) {
	var a v3Auth
	for _, part := range strings.Split(strings.TrimPrefix(h, v3Algorithm+" "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			a.keyID = v
		case "SignedHeaders":
			a.signed = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.keyID != "" && a.signature != "" && len(a.signed) > 0
}

// CanonicalRequestV3 is the V3 canonical request of r, its body hashed as
// payloadHash, over the headers signed.
func CanonicalRequestV3(r *http.Request, signed []string, payloadHash string) string {
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, percentEncode(k)+"="+percentEncode(q.Get(k)))
	}
	var hs strings.Builder
	for _, name := range signed {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
		}
		hs.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
	}
	return r.Method + "\n" + path + "\n" + strings.Join(pairs, "&") + "\n" + hs.String() + "\n" + strings.Join(signed, ";") + "\n" + payloadHash
}

// StringToSignV3 is the V3 string to sign of a canonical request.
func StringToSignV3(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return v3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

// SignV3 is the hex HMAC-SHA256 of the string to sign with secret.
func SignV3(stringToSign, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return hex.EncodeToString(m.Sum(nil))
}

// authenticateV3 checks a V3-signed request as the gateway does, body its
// bytes; p gets its Action and Version from the headers.
func (e *Emulator) authenticateV3(rs *responder, r *http.Request, body []byte, p url.Values) bool {
	a, ok := parseV3(r.Header.Get("Authorization"))
	if !ok {
		rs.fail(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards: Authorization needs Credential, SignedHeaders and Signature.")
		return false
	}
	for _, name := range []string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"} {
		if r.Header.Get(name) == "" {
			rs.fail(http.StatusBadRequest, "MissingParameter", "The input parameter \""+name+"\" that is mandatory for processing this request is not supplied.")
			return false
		}
	}
	for _, name := range []string{"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"} {
		if !slices.Contains(a.signed, name) {
			rs.fail(http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards: SignedHeaders must include "+name+".")
			return false
		}
	}
	p.Set("Action", r.Header.Get("x-acs-action"))
	p.Set("Version", r.Header.Get("x-acs-version"))
	rs.action = p.Get("Action")
	sum := sha256.Sum256(body)
	if hash := r.Header.Get("x-acs-content-sha256"); !strings.EqualFold(hash, hex.EncodeToString(sum[:])) {
		rs.fail(http.StatusBadRequest, "ContentSHA256NotMatched", "The x-acs-content-sha256 header does not match the body.")
		return false
	}
	e.mu.Lock()
	key, ok := e.keys[a.keyID]
	e.mu.Unlock()
	if !ok {
		rs.fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return false
	}
	if key.SecurityToken != "" && subtle.ConstantTimeCompare([]byte(key.SecurityToken), []byte(r.Header.Get("x-acs-security-token"))) != 1 {
		rs.fail(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
		return false
	}
	sts := StringToSignV3(CanonicalRequestV3(r, a.signed, r.Header.Get("x-acs-content-sha256")))
	if subtle.ConstantTimeCompare([]byte(SignV3(sts, key.Secret)), []byte(strings.ToLower(a.signature))) != 1 {
		rs.fail(http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"+sts)
		return false
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
	if err != nil {
		rs.fail(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
		return false
	}
	return e.fresh(rs, key.ID, r.Header.Get("x-acs-signature-nonce"), ts)
}
