package httpapi

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/axg-binder/binder/internal/core"
)

// Routes: every route of the API, in one place.
const (
	RouteBind         = "/v1/axg/bind"
	RouteBatchBind    = "/v1/axg/batch-bind"
	RouteUnbind       = "/v1/axg/unbind"
	RouteUpdate       = "/v1/axg/update"
	RouteQuery        = "/v1/axg/query"
	RouteQuerySubsId  = "/v1/axg/query-subs-id"
	RouteGroupCreate  = "/v1/axg/group/create"
	RouteGroupOperate = "/v1/axg/group/operate"
	RouteGroupDelete  = "/v1/axg/group/delete"
	RouteOrderGet     = "/v1/axg/order/get"
	RouteOrderUnbind  = "/v1/axg/order/unbind"
	// RouteReceiptsReplay makes the receipt deliveries whose attempts were
	// spent due again.
	RouteReceiptsReplay = "/v1/axg/receipts/replay"
	RouteHealth         = "/healthz"
	// RouteMetrics is served where a metrics handler is configured (the
	// local server, the FC web function), behind the token check.
	RouteMetrics = "/metrics"
	// RouteOpenAPI serves the API's OpenAPI document where one is given
	// (the local server); like /healthz, without a token.
	RouteOpenAPI = "/openapi.json"
)

// Routes are the paths every handler serves (not /metrics and
// /openapi.json, which only some do, nor the receipt push's prefix).
func Routes() []string {
	var out []string
	for _, r := range (&Handler{}).routeTable() {
		out = append(out, r.path)
	}
	return out
}

// routeTable is every route with its handlers, in the order a caller who
// asked for another route is told them.
func (h *Handler) routeTable() []route {
	post := func(fn http.HandlerFunc) map[string]http.HandlerFunc {
		return map[string]http.HandlerFunc{http.MethodPost: fn}
	}
	t := []route{
		{RouteBind, post(h.bind)},
		{RouteBatchBind, post(h.batchBind)},
		{RouteUnbind, post(h.unbind)},
		{RouteUpdate, post(h.update)},
		{RouteQuery, post(h.query)},
		{RouteQuerySubsId, post(h.querySubsId)},
		{RouteGroupCreate, post(h.groupCreate)},
		{RouteGroupOperate, post(h.groupOperate)},
		{RouteGroupDelete, post(h.groupDelete)},
		{RouteOrderGet, post(h.orderGet)},
		{RouteOrderUnbind, post(h.orderUnbind)},
		{RouteReceiptsReplay, post(h.receiptsReplay)},
		{RouteHealth, map[string]http.HandlerFunc{http.MethodGet: h.healthz, http.MethodHead: h.healthz}},
	}
	if h.cfg.MetricsHandler != nil {
		t = append(t, route{RouteMetrics, map[string]http.HandlerFunc{http.MethodGet: h.cfg.MetricsHandler.ServeHTTP}})
	}
	if h.cfg.OpenAPI != nil {
		t = append(t, route{RouteOpenAPI, map[string]http.HandlerFunc{http.MethodGet: h.openapi}})
	}
	return t
}

type route struct {
	path    string
	methods map[string]http.HandlerFunc
}

// setRoutes indexes the table, and words it for a caller who asked for
// another route ("POST /v1/axg/bind, ...; GET /healthz").
func (h *Handler) setRoutes(t []route) {
	h.routes = make(map[string]map[string]http.HandlerFunc, len(t))
	var lists []string
	for _, m := range []string{http.MethodPost, http.MethodGet} {
		var paths []string
		for _, r := range t {
			if r.methods[m] != nil {
				paths = append(paths, r.path)
			}
		}
		lists = append(lists, m+" "+strings.Join(paths, ", "))
	}
	for _, r := range t {
		h.routes[r.path] = r.methods
	}
	h.routeList = strings.Join(lists, "; ")
}

// routeName is the route a path names, for logs, metrics and spans: the
// path itself, or "unknown" (a caller's path may be anything).
func (h *Handler) routeName(path string) string {
	if _, ok := h.routes[path]; ok {
		return path
	}
	if isReceipts(path) {
		if _, ok := h.receiptRoute(path); ok {
			return routeReceiptsName
		}
	}
	return "unknown"
}

// serve checks the token (on every route but /healthz), then routes.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	if isReceipts(r.URL.Path) {
		// The vendor sends no token: the path's secret stands in for one.
		h.admitted(w, r, h.receipts)
		return
	}
	if r.URL.Path != RouteHealth && r.URL.Path != RouteOpenAPI {
		if e := h.authorize(r); e != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="axg-binder"`)
			h.writeError(w, r, e)
			return
		}
	}
	methods, ok := h.routes[r.URL.Path]
	if !ok {
		h.writeError(w, r, core.Errorf(core.CodeNotFound, "no route "+r.Method+" "+safePath(r.URL.Path)+"; routes: "+h.routeList))
		return
	}
	fn, ok := methods[r.Method]
	if !ok {
		allow := make([]string, 0, len(methods))
		for m := range methods {
			allow = append(allow, m)
		}
		sort.Strings(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.writeError(w, r, core.Errorf(core.CodeMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+strings.Join(allow, ", ")))
		return
	}
	if r.Method == http.MethodPost {
		h.admitted(w, r, func(w http.ResponseWriter, r *http.Request) { h.once(w, r, fn) })
		return
	}
	fn(w, r)
}

// admitted runs fn once the request's body has room in memory, under the
// request's deadline.
func (h *Handler) admitted(w http.ResponseWriter, r *http.Request, fn http.HandlerFunc) {
	release, ok := h.admit(r)
	if !ok {
		w.Header().Set("Retry-After", "1")
		h.writeError(w, r, core.Errorf(core.CodeOverloaded, "this instance has as many requests in memory as it can hold (AXG_MAX_INFLIGHT_BYTES): nothing was sent; try again"))
		return
	}
	defer release()
	ctx, cancel := h.deadline(r.Context())
	defer cancel()
	fn(w, r.WithContext(ctx))
}

// safePath keeps a caller's unknown path short and free of phone numbers.
func safePath(p string) string {
	if len(p) > 64 {
		p = p[:64] + "..."
	}
	return redactText(p)
}

// openapi serves the API's document.
func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	h.setCode(r, core.CodeOK, "")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(h.cfg.OpenAPI)))
	_, _ = w.Write(h.cfg.OpenAPI)
}
