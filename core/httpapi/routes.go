package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/axg-binder/binder/core"
)

// Routes: every route of the API, in one place.
const (
	RouteBind         = "/v1/axg/bind"
	RouteBatchBind    = "/v1/axg/batch-bind"
	RouteUnbind       = "/v1/axg/unbind"
	RouteUpdate       = "/v1/axg/update"
	RouteQuery        = "/v1/axg/query"
	RouteGroupCreate  = "/v1/axg/group/create"
	RouteGroupOperate = "/v1/axg/group/operate"
	RouteGroupDelete  = "/v1/axg/group/delete"
	RouteHealth       = "/healthz"
	// RouteMetrics is served where a metrics handler is configured (the
	// local server, the FC web function), behind the token check.
	RouteMetrics = "/metrics"
)

func (h *Handler) routeTable() map[string]map[string]http.HandlerFunc {
	t := map[string]map[string]http.HandlerFunc{
		RouteBind:         {http.MethodPost: h.bind},
		RouteBatchBind:    {http.MethodPost: h.batchBind},
		RouteUnbind:       {http.MethodPost: h.unbind},
		RouteUpdate:       {http.MethodPost: h.update},
		RouteQuery:        {http.MethodPost: h.query},
		RouteGroupCreate:  {http.MethodPost: h.groupCreate},
		RouteGroupOperate: {http.MethodPost: h.groupOperate},
		RouteGroupDelete:  {http.MethodPost: h.groupDelete},
		RouteHealth:       {http.MethodGet: h.healthz, http.MethodHead: h.healthz},
	}
	if h.cfg.MetricsHandler != nil {
		t[RouteMetrics] = map[string]http.HandlerFunc{http.MethodGet: h.cfg.MetricsHandler.ServeHTTP}
	}
	return t
}

// routeList names every route, for a caller who asked for another.
const routeList = "POST " + RouteBind + ", " + RouteBatchBind + ", " + RouteUnbind + ", " + RouteUpdate + ", " + RouteQuery + ", " +
	RouteGroupCreate + ", " + RouteGroupOperate + ", " + RouteGroupDelete + "; GET " + RouteHealth

func routeName(path string) string {
	switch path {
	case RouteBind, RouteBatchBind, RouteUnbind, RouteUpdate, RouteQuery, RouteGroupCreate, RouteGroupOperate, RouteGroupDelete, RouteHealth, RouteMetrics:
		return path
	}
	return "unknown"
}

// serve checks the token (on every route but /healthz), then routes.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != RouteHealth {
		if e := h.authorize(r); e != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="axg-binder"`)
			h.writeError(w, r, e)
			return
		}
	}
	methods, ok := h.routes[r.URL.Path]
	if !ok {
		h.writeError(w, r, core.Errorf(core.CodeNotFound, "no route "+r.Method+" "+safePath(r.URL.Path)+"; routes: "+routeList))
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
		h.once(w, r, fn)
		return
	}
	fn(w, r)
}

// safePath keeps a caller's unknown path short and free of phone numbers.
func safePath(p string) string {
	if len(p) > 64 {
		p = p[:64] + "..."
	}
	return redactText(p)
}
