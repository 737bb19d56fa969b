package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/redact"
	"github.com/axg-binder/binder/internal/core/request"
)

// The lifecycle routes (docs/http-api.md): each decodes
// its request with the validator, notes what its log line says (numbers
// masked), calls the Service, and answers in the upstream's shape.

// serveOp is one lifecycle route: decode, then call, then answer.
func serveOp[T any](h *Handler, w http.ResponseWriter, r *http.Request,
	decode func([]byte, string) (T, *core.Error), attrs func(*T) []slog.Attr,
	call func(context.Context, *T) (any, error)) {
	body, e := h.readBody(w, r)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	req, e := decode(body, "")
	note(r, attrs(&req)...)
	if e != nil {
		h.writeError(w, r, e)
		return
	}
	ctx := r.Context() // the request's deadline, set by serve
	ans, err := call(ctx, &req)
	if err != nil {
		h.writeError(w, r, core.AsError(err))
		return
	}
	h.setCode(r, core.CodeOK, "")
	writeJSON(w, http.StatusOK, ans)
}

func (h *Handler) ok(r *http.Request) core.Answer {
	return core.Answer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context())}
}

func pool(p string) slog.Attr { return slog.String("pool", given(p)) }

func subs(id string) slog.Attr { return slog.String("subs_id", given(id)) }

// given is a value a caller gave, as a log line may say it: short, and any
// phone number in it masked (a caller who swaps SubsId and SecretNo, or
// writes a number as a PoolKey, had it logged in full).
func given(s string) string { return redact.Clip(redact.Text(redact.Clip(s, 4*maxLogged)), maxLogged) }

func (h *Handler) unbind(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeUnbind,
		func(q *core.UnbindRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), subs(q.SubsId), slog.String("phone_x", redact.Phone(q.SecretNo))}
		},
		func(ctx context.Context, q *core.UnbindRequest) (any, error) { return h.ok(r), h.svc.Unbind(ctx, *q) })
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeUpdate,
		func(q *core.UpdateRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), subs(q.SubsId), slog.String("phone_x", redact.Phone(q.PhoneNoX)),
				slog.String("operate_type", given(q.OperateType))}
		},
		func(ctx context.Context, q *core.UpdateRequest) (any, error) { return h.ok(r), h.svc.Update(ctx, *q) })
}

func (h *Handler) query(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeQuery,
		func(q *core.QueryRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), subs(q.SubsId), slog.String("phone_x", redact.Phone(q.PhoneNoX))}
		},
		func(ctx context.Context, q *core.QueryRequest) (any, error) {
			d, err := h.svc.Query(ctx, *q)
			return core.QueryAnswer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context()), SecretBindDetailDTO: d}, err
		})
}

func numbersCount(s string) slog.Attr {
	n := 0
	if s != "" {
		n = strings.Count(s, ",") + 1
	}
	return slog.Int("numbers", n)
}

func (h *Handler) groupCreate(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeGroupCreate,
		func(q *core.GroupCreateRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), numbersCount(q.Numbers)}
		},
		func(ctx context.Context, q *core.GroupCreateRequest) (any, error) {
			id, err := h.svc.CreateGroup(ctx, *q)
			return core.GroupAnswer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context()), GroupId: id}, err
		})
}

func (h *Handler) groupOperate(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeGroupOperate,
		func(q *core.GroupOperateRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), slog.String("group_id", given(q.GroupId)),
				slog.String("operate_type", given(q.OperateType)), numbersCount(q.Numbers)}
		},
		func(ctx context.Context, q *core.GroupOperateRequest) (any, error) {
			return h.ok(r), h.svc.OperateGroup(ctx, *q)
		})
}

func (h *Handler) groupDelete(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeGroupDelete,
		func(q *core.GroupDeleteRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), slog.String("group_id", given(q.GroupId))}
		},
		func(ctx context.Context, q *core.GroupDeleteRequest) (any, error) {
			return h.ok(r), h.svc.DeleteGroup(ctx, *q)
		})
}

func (h *Handler) querySubsId(w http.ResponseWriter, r *http.Request) {
	serveOp(h, w, r, h.v.DecodeSubsId,
		func(q *core.SubsIdRequest) []slog.Attr {
			return []slog.Attr{pool(q.PoolKey), slog.String("phone_x", redact.Phone(q.PhoneNoX))}
		},
		func(ctx context.Context, q *core.SubsIdRequest) (any, error) {
			ids, err := h.svc.QuerySubsId(ctx, *q)
			return core.SubsIdAnswer{Code: core.CodeOK, Message: "OK", RequestId: request.ID(r.Context()), SubsId: ids}, err
		})
}
