// Package dypls is the binder's Upstream over Alibaba Cloud's Go SDK
// (alibaba-cloud-sdk-go/services/dyplsapi): it sends BindAxg and BindBatchAxg,
// and turns every answer and failure into a core.Error that says what is known
// of the call — answered, never sent, or sent with an unknown outcome.
package dypls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/metrics"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/request"
	"github.com/axg-binder/binder/internal/core/tracing"
)

// Actions are the upstream's APIs the Client calls: the RAM actions
// (dypls:<Action>) the function's role needs, and nothing more
// (deploy/ram-policy.json, checked by internal/releasecheck).
var Actions = []string{"BindAxg", "BindBatchAxg", "UnbindSubscription", "UpdateSubscription",
	"QuerySubscriptionDetail", "QuerySubsId", "CreateAxgGroup", "OperateAxgGroup", "DeleteAxgGroup"}

// The Config's defaults, which the configuration's are (one place each):
// the upstream's public endpoint, its region, and a call's time.
const (
	DefaultEndpoint = "https://dyplsapi.aliyuncs.com"
	DefaultRegion   = "cn-hangzhou"
	DefaultTimeout  = 5 * time.Second
)

// Config says where the upstream is and who calls it.
type Config struct {
	// Endpoint is the base URL: scheme, host and optional port.
	Endpoint string
	Region   string
	// AccessKeyID and AccessKeySecret, with SecurityToken for STS credentials:
	// the default for calls whose context carries none (internal/core/request).
	AccessKeyID, AccessKeySecret, SecurityToken string
	// ContextCredentials lets New go without a default: every call's context
	// brings its own.
	ContextCredentials bool
	// Timeout bounds one call, from sending to the answer read.
	Timeout time.Duration
	// Transport carries the calls; nil means a transport tuned for one busy host.
	Transport http.RoundTripper
	// Metrics counts the calls by API and outcome, and times them (none
	// when nil).
	Metrics metrics.Sink
}

// Client calls the upstream. It is safe for concurrent use.
//
// Answers are parsed by the vendor SDK (its response types and
// responses.Unmarshal); requests are encoded and signed by rpc.go, tested to
// be identical to the SDK's own, and sent on our transport. The SDK's
// Client.DoAction rewrites its shared http.Client's timeout and TLS settings
// on every call (a data race between concurrent calls,
// aliyun/alibaba-cloud-sdk-go#538), builds requests without a context, and
// spends a third of a call's CPU on log fields nobody reads; its encoder and
// signer cost more than the rest of a call (rpc.go).
type Client struct {
	base      string // scheme://host[:port]/?
	region    string
	timeout   time.Duration
	transport http.RoundTripper
	creds     request.Credentials
	header    http.Header
	metrics   metrics.Sink
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("endpoint %q: want scheme://host[:port], scheme http or https", cfg.Endpoint)
	}
	creds := request.Credentials{AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken}
	if !creds.OK() && !cfg.ContextCredentials {
		return nil, errors.New("an AccessKey ID and secret are required")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport()
	}
	return &Client{
		base:   u.Scheme + "://" + u.Host + "/?",
		region: cfg.Region, timeout: cfg.Timeout, creds: creds, metrics: metrics.Or(cfg.Metrics),
		// The transport itself, not an http.Client: no redirects to follow,
		// no cookies, each call's context bounds it, and http.Client's copies
		// of every request cost more than the rest of the sending.
		transport: cfg.Transport,
		// The headers the SDK sends; an empty form body, as it sends.
		header: http.Header{
			"Content-Type":       {"application/x-www-form-urlencoded"},
			"Accept-Encoding":    {"identity"},
			"User-Agent":         {sdk.DefaultUserAgent + " axg-binder"},
			"X-Sdk-Client":       {"golang/1.0.0"},
			"X-Sdk-Invoke-Type":  {"normal"},
			"X-Sdk-Core-Version": {sdk.Version},
		},
	}, nil
}

// NewTransport is the transport for one busy upstream host: Go's default keeps
// two idle connections per host, which under load means a new TLS handshake
// for most calls.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// do signs and sends one call, parses the answer into resp (the SDK's
// response type, by the SDK's parser), and classifies a failure; an answer is
// recorded by the caller, which reads its code.
func (c *Client) do(ctx context.Context, action string, params []param, resp responses.AcsResponse, items int) (time.Duration, error) {
	creds := c.creds
	if cc, ok := request.CredentialsOf(ctx); ok {
		creds = cc
	}
	if !creds.OK() {
		// A configuration fault, not a network one: resending cannot help.
		return 0, &core.Error{Code: core.CodeInternal, Origin: core.OriginBinder, Outcome: core.NotSent,
			Message: "no AccessKey for the upstream: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or give the function a role"}
	}
	u := signedURL(c.base, action, c.region, creds, nonce(), timestamp(time.Now()), params)

	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var sent atomic.Bool
	callCtx = httptrace.WithClientTrace(callCtx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				sent.Store(true)
			}
		},
	})
	hreq, err := http.NewRequestWithContext(callCtx, http.MethodPost, u, nil)
	if err != nil {
		return 0, &core.Error{Code: core.CodeInternal, Origin: core.OriginBinder, Outcome: core.NotSent, Message: "building the request: " + redact.Text(reason(err))}
	}
	hreq.Header = c.header.Clone()

	start := time.Now()
	hresp, err := c.transport.RoundTrip(hreq)
	if err == nil {
		err = responses.Unmarshal(resp, hresp, "JSON") // reads and closes the body
	}
	d := time.Since(start)
	if err == nil {
		return d, nil
	}
	e := classify(err, sent.Load(), c.timeout)
	c.observe(ctx, action, e, e.RequestID, e.Code, items, d)
	return d, e
}

// observe records a call that ended: for the request's log line, and in
// the metrics.
func (c *Client) observe(ctx context.Context, action string, err *core.Error, reqID string, code core.Code, items int, d time.Duration) {
	core.RecordCall(ctx, core.Call{Action: action, RequestID: reqID, Code: code, Items: items, Ms: ms(d)})
	o := outcome(err)
	tracing.Answered(ctx, reqID, string(code), o)
	if c.metrics != metrics.Discard {
		c.metrics.Add(&metrics.UpstreamCalls, 1, action, o)
		c.metrics.Observe(&metrics.UpstreamSeconds, d.Seconds(), action)
	}
}

// outcome names what became of a call, for metrics.UpstreamCalls.
func outcome(e *core.Error) string {
	switch {
	case e == nil:
		return "ok"
	case e.Outcome == core.Unknown:
		return "unknown"
	case e.Outcome == core.NotSent:
		return "transient" // no connection: nothing reached the upstream
	case e.Code.Throttled() || e.HTTPStatus == http.StatusTooManyRequests:
		return "throttled"
	case e.Code.Transient():
		return "transient"
	}
	return "business"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// closedIdle reports net/http's own word that the upstream closed a pooled
// connection while it was idle, before our request could be read on it: the
// call was written into a closed connection and never seen, so it may go
// again. (net/http resends such a call itself only when it is idempotent;
// the error is unexported, its text is its identity.)
func closedIdle(err error) bool {
	return err != nil && strings.Contains(err.Error(), "http: server closed idle connection")
}

// classify turns an SDK error into what is known of the call.
func classify(err error, sent bool, timeout time.Duration) *core.Error {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		status, code := se.HttpStatus(), core.Code(se.ErrorCode())
		e := &core.Error{Code: code, Message: redact.Text(se.Message()), Origin: core.OriginUpstream,
			Outcome: core.Answered, HTTPStatus: status, RequestID: se.RequestId()}
		switch {
		case code != "":
			if e.Message == "" {
				e.Message = "upstream answered HTTP " + strconv.Itoa(status) + " " + string(code)
			}
		case status == http.StatusTooManyRequests:
			e.Code, e.Message = core.CodeFlowLimit, "upstream answered HTTP 429"
		case status >= 500:
			// No business code: the gateway may or may not have passed it on.
			e.Code, e.Outcome, e.Origin = core.CodeUpstreamTimeout, core.Unknown, core.OriginTransport
			e.Message = fmt.Sprintf("upstream answered HTTP %d without a result: the outcome is unknown, not resent", status)
		default:
			e.Code, e.Origin = core.CodeUpstreamUnavailable, core.OriginTransport
			e.Message = fmt.Sprintf("upstream answered HTTP %d without a code", status)
		}
		return e
	}
	if !sent || closedIdle(err) {
		return &core.Error{Code: core.CodeUpstreamUnavailable, Origin: core.OriginTransport, Outcome: core.NotSent,
			Message: "could not reach the upstream: " + reason(err)}
	}
	return &core.Error{Code: core.CodeUpstreamTimeout, Origin: core.OriginTransport, Outcome: core.Unknown,
		Message: fmt.Sprintf("sent, but no answer came back (%s; call timeout %s): the outcome is unknown, not resent", reason(err), timeout)}
}

// reason describes a transport failure without the URL, whose query holds the
// request's numbers and the security token.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		return ce.ErrorCode()
	}
	return redact.Text(err.Error())
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
