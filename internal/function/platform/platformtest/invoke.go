package platformtest

import (
	"context"
	"encoding/json"
	"fmt"
)

// Handler is an event function's handler: the payload in, the answer out,
// both as JSON.
type Handler interface {
	Invoke(ctx context.Context, payload json.RawMessage) (json.RawMessage, error)
}

// Invoke hands h the event as a runtime does (event, as JSON, or payload
// itself when it is a json.RawMessage) and reads its answer into an Out.
func Invoke[Out any](h Handler, ctx context.Context, event any) (Out, error) {
	payload, ok := event.(json.RawMessage)
	if !ok {
		payload, _ = json.Marshal(event)
	}
	b, err := h.Invoke(ctx, payload)
	var out Out
	if jerr := json.Unmarshal(b, &out); len(b) > 0 && jerr != nil {
		panic(fmt.Sprintf("the answer %q: %v", b, jerr))
	}
	return out, err
}
