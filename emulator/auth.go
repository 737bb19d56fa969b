package emulator

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"
)

// maxSkew is how far a request's Timestamp may be from the emulator's clock,
// and how long a SignatureNonce is remembered.
const maxSkew = 15 * time.Minute

// authenticate checks the common parameters and the signature as the upstream
// does, answering the upstream's error when one fails.
func (e *Emulator) authenticate(rs *responder, method string, p url.Values) bool {
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Version", "Action"} {
		if p.Get(name) == "" {
			rs.fail(http.StatusBadRequest, "MissingParameter",
				"The input parameter \""+name+"\" that is mandatory for processing this request is not supplied.")
			return false
		}
	}
	if p.Get("SignatureMethod") != "HMAC-SHA1" || p.Get("SignatureVersion") != "1.0" {
		rs.fail(http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method or version is not supported.")
		return false
	}
	e.mu.Lock()
	key, ok := e.keys[p.Get("AccessKeyId")]
	e.mu.Unlock()
	if !ok {
		rs.fail(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return false
	}
	if key.SecurityToken != "" && subtle.ConstantTimeCompare([]byte(key.SecurityToken), []byte(p.Get("SecurityToken"))) != 1 {
		rs.fail(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "Specified SecurityToken mismatch with the AccessKey.")
		return false
	}
	sts := StringToSign(method, p)
	if subtle.ConstantTimeCompare([]byte(Sign(sts, key.Secret)), []byte(p.Get("Signature"))) != 1 {
		// The upstream quotes its whole string to sign, numbers and all.
		rs.fail(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+sts)
		return false
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp"))
	if err != nil {
		rs.fail(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
		return false
	}
	return e.fresh(rs, key.ID, p.Get("SignatureNonce"), ts)
}

// fresh checks a signed request's time against the wall clock (SDKs sign
// with it, whatever clock the bindings run on) and its nonce against those
// seen: a request replayed is refused.
func (e *Emulator) fresh(rs *responder, keyID, nonce string, ts time.Time) bool {
	now := time.Now()
	if d := now.Sub(ts); d > maxSkew || d < -maxSkew {
		rs.fail(http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	nonce = keyID + "/" + nonce
	if _, used := e.nonces[nonce]; used {
		rs.fail(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
		return false
	}
	if now.Sub(e.pruned) > time.Minute {
		for n, at := range e.nonces {
			if now.Sub(at) > maxSkew {
				delete(e.nonces, n)
			}
		}
		e.pruned = now
	}
	e.nonces[nonce] = now
	return true
}
