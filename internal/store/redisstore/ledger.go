package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/axg-binder/binder/internal/core/ledger"
)

// Ledger is the ledger's driver on Redis (Redis 5 or later, Tair): a hash
// per key under Prefix holding the writer's token and the record, expiring
// at the record's Expires. Each write is a script, so its condition and its
// write are one step; a script that runs after its caller's deadline (by
// Redis's clock: a request queued while Redis was stopped) writes nothing.
type Ledger struct {
	Client *redis.Client
	Prefix string
}

var _ ledger.Driver = Ledger{}

// OpenLedger is a Ledger on the Redis at url whose calls end at their
// context's deadline (go-redis's own timeouts and retries otherwise let a
// stopped Redis hold a request for 13 s). The connection is made on first
// use.
func OpenLedger(url string) (Ledger, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return Ledger{}, err
	}
	opt.ContextTimeoutEnabled = true
	return Ledger{Client: redis.NewClient(opt), Prefix: "axg:ledger:"}, nil
}

// giveUp is the script's part of a deadline check: ARGV[1] is the caller's
// deadline in Unix milliseconds (0: none).
const giveUp = `
if tonumber(ARGV[1]) > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[1]) then return -1 end
end
`

// ARGV: deadline, token, record, expires (Unix ms).
var createScript = redis.NewScript(giveUp + `
local old = redis.call('HGET', KEYS[1], 'rec')
if old then return old end
redis.call('HSET', KEYS[1], 'tok', ARGV[2], 'rec', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
`)

// ARGV: deadline, old token, new token, record, expires.
var replaceScript = redis.NewScript(giveUp + `
if redis.call('HGET', KEYS[1], 'tok') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'tok', ARGV[3], 'rec', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1
`)

// ARGV: deadline, token.
var deleteScript = redis.NewScript(giveUp + `
if redis.call('HGET', KEYS[1], 'tok') == ARGV[2] then redis.call('DEL', KEYS[1]) end
return 1
`)

func deadlineMs(ctx context.Context) int64 {
	if dl, ok := ctx.Deadline(); ok {
		return dl.UnixMilli()
	}
	return 0
}

func unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: no answer by the deadline (%v)", ledger.ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
}

var errLate = fmt.Errorf("%w: the write reached Redis after its deadline", ledger.ErrUnavailable)

func (s Ledger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable(ctx, err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	v, err := createScript.Run(ctx, s.Client, []string{s.Prefix + r.Key}, deadlineMs(ctx), r.Token, b, r.Expires.UnixMilli()).Result()
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return nil, errLate
		}
		return nil, nil
	case string:
		var old ledger.Record
		if err := json.Unmarshal([]byte(v), &old); err != nil {
			return nil, fmt.Errorf("ledger record %q: %w", r.Key, err)
		}
		return &old, nil
	}
	return nil, fmt.Errorf("ledger: Redis answered %T", v)
}

func (s Ledger) Replace(ctx context.Context, token string, r ledger.Record) error {
	if err := ctx.Err(); err != nil {
		return unavailable(ctx, err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	n, err := replaceScript.Run(ctx, s.Client, []string{s.Prefix + r.Key}, deadlineMs(ctx), token, r.Token, b, r.Expires.UnixMilli()).Int64()
	switch {
	case err != nil:
		return unavailable(ctx, err)
	case n < 0:
		return errLate
	case n == 0:
		return ledger.ErrLost
	}
	return nil
}

func (s Ledger) Get(ctx context.Context, key string) (*ledger.Record, error) {
	b, err := s.Client.HGet(ctx, s.Prefix+key, "rec").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	var r ledger.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("ledger record %q: %w", key, err)
	}
	if !time.Now().Before(r.Expires) {
		return nil, nil // Redis drops it within the millisecond
	}
	return &r, nil
}

func (s Ledger) Delete(ctx context.Context, key, token string) error {
	if err := ctx.Err(); err != nil {
		return unavailable(ctx, err)
	}
	n, err := deleteScript.Run(ctx, s.Client, []string{s.Prefix + key}, deadlineMs(ctx), token).Int64()
	if err != nil {
		return unavailable(ctx, err)
	}
	if n < 0 {
		return errLate
	}
	return nil
}

// addScript adds ARGV[1] to the set at KEYS[1] and makes the set live until
// ARGV[2] (Unix ms) at least: the latest Expires of its members.
var addScript = redis.NewScript(`
redis.call('SADD', KEYS[1], ARGV[1])
local t = redis.call('TIME')
local want = tonumber(ARGV[2]) - (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
if redis.call('PTTL', KEYS[1]) < want then redis.call('PEXPIRE', KEYS[1], want) end
return 1
`)

// PutBatch sends every write in one pipeline: a record as Create writes
// it (a hash of its token and itself), a member by addScript.
func (s Ledger) PutBatch(ctx context.Context, recs []ledger.Record, adds []ledger.Member) error {
	if len(recs)+len(adds) == 0 {
		return nil
	}
	if len(adds) > 0 {
		if err := addScript.Load(ctx, s.Client).Err(); err != nil { // EvalSha in a pipeline needs it loaded
			return unavailable(ctx, err)
		}
	}
	pipe := s.Client.Pipeline()
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		pipe.HSet(ctx, s.Prefix+r.Key, "tok", r.Token, "rec", b)
		pipe.PExpireAt(ctx, s.Prefix+r.Key, r.Expires)
	}
	for _, a := range adds {
		addScript.EvalSha(ctx, pipe, []string{s.Prefix + a.Key}, a.Value, a.Expires.UnixMilli())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable(ctx, err)
	}
	return nil
}

func (s Ledger) Members(ctx context.Context, key string) ([]string, error) {
	m, err := s.Client.SMembers(ctx, s.Prefix+key).Result()
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	return m, nil
}
