package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// responder writes one call's answer in the format the call asked for:
// JSON, or XML, the RPC default when Format is absent.
type responder struct {
	w      http.ResponseWriter
	reqID  string
	action string
	xml    bool
	status int    // what was written, for the call's record
	code   string // the answer's Code
}

// rpcError is the upstream's error body.
type rpcError struct {
	RequestId string `json:"RequestId"`
	HostId    string `json:"HostId,omitempty"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend,omitempty"`
}

// fail answers a gateway error: an RPC error body with an HTTP status.
func (rs *responder) fail(status int, code, msg string) {
	rs.write(status, "Error", rpcError{RequestId: rs.reqID, HostId: "dyplsapi.aliyuncs.com", Code: code, Message: msg,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + code}, code)
}

// business answers HTTP 200 with a code and no data, as the upstream does
// for a business error.
func (rs *responder) business(code, msg string) {
	rs.write(http.StatusOK, rs.action+"Response", rpcError{RequestId: rs.reqID, Code: code, Message: msg}, code)
}

// answer writes an action's answer, HTTP 200.
func (rs *responder) answer(v any) {
	setRequestID(v, rs.reqID)
	rs.write(http.StatusOK, rs.action+"Response", v, codeOf(v))
}

// bare answers a status with a body that is no RPC answer, as a broken
// gateway or a proxy does.
func (rs *responder) bare(status int) {
	rs.status, rs.code = status, ""
	rs.w.Header().Set("Content-Type", "text/html")
	rs.w.WriteHeader(status)
	_, _ = rs.w.Write([]byte("<html><body>" + http.StatusText(status) + "</body></html>"))
}

func (rs *responder) write(status int, root string, v any, code string) {
	rs.status, rs.code = status, code
	var b []byte
	if rs.xml {
		b = append([]byte(xml.Header), xmlOf(root, v)...)
		rs.w.Header().Set("Content-Type", "text/xml;charset=utf-8")
	} else {
		b, _ = json.Marshal(v)
		rs.w.Header().Set("Content-Type", "application/json;charset=utf-8")
	}
	rs.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	rs.w.WriteHeader(status)
	_, _ = rs.w.Write(b)
}

// xmlOf encodes v under the element root, as the upstream's XML answers
// are (<BindAxgResponse>, <Error>); lists repeat their element
// (<SecretBindList><SecretBind>...</SecretBind>...</SecretBindList>).
func xmlOf(root string, v any) []byte {
	var b strings.Builder
	enc := xml.NewEncoder(&b)
	_ = enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: root}})
	_ = enc.Flush()
	return []byte(b.String())
}

// newRequestID is a RequestId as the upstream's are: an upper-case UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// codeOf is an answer's Code.
func codeOf(v any) string {
	switch a := v.(type) {
	case *bindAnswer:
		return a.Code
	case *batchAnswer:
		return a.Code
	case *answer:
		return a.Code
	case *detailAnswer:
		return a.Code
	case *groupAnswer:
		return a.Code
	}
	return ""
}
