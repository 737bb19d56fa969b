// Package dynamostore is the ledger's driver on Amazon DynamoDB: one
// pay-per-request table that the SAM stack creates, shared by every
// instance with no VPC (what Powertools for AWS Lambda uses for its
// idempotency records).
package dynamostore

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/axg-binder/binder/internal/core/ledger"
)

// Ledger keeps each record as an item of Table under the partition key
// "pk": the writer's token ("tok"), the record without its body ("rec",
// JSON), the body ("body", gzip above bodyZip bytes: an item holds 400 KB),
// the expiry in Unix milliseconds ("exp", what conditions compare) and in
// seconds ("ttl", the table's TTL attribute, which deletes within days: a
// record past "exp" is read as gone before that). A set is an item with a
// string set ("m") living to its latest member's expiry.
//
// Unlike Redis, DynamoDB cannot compare a write's arrival with its caller's
// deadline: a write the SDK gave up on may still land. The ledger's rules
// allow for it (a Begin that failed deletes what it may have written).
type Ledger struct {
	Client *dynamodb.Client
	Table  string
	now    func() time.Time
}

var _ ledger.Driver = Ledger{}

// New is the driver over the table, which must exist (CreateTable).
func New(c *dynamodb.Client, table string) Ledger {
	return Ledger{Client: c, Table: table, now: time.Now}
}

// bodyZip is the body size above which a body is kept compressed.
const bodyZip = 16 << 10

const (
	attrKey, attrToken, attrRec, attrBody, attrZip = "pk", "tok", "rec", "body", "zip"
	attrExp, attrTTL, attrMembers                  = "exp", "ttl", "m"
)

func (s Ledger) clock() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func (s Ledger) key(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrKey: str(k)}
}

// item is r as the table keeps it.
func item(r ledger.Record) (map[string]types.AttributeValue, error) {
	body := r.Body
	r.Body = nil
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	it := map[string]types.AttributeValue{attrKey: str(r.Key), attrToken: str(r.Token), attrRec: &types.AttributeValueMemberB{Value: b},
		attrExp: num(r.Expires.UnixMilli()), attrTTL: num(r.Expires.Unix() + 1)}
	if len(body) > bodyZip {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		_, _ = w.Write(body)
		_ = w.Close()
		body, it[attrZip] = z.Bytes(), &types.AttributeValueMemberBOOL{Value: true}
	}
	if len(body) > 0 {
		it[attrBody] = &types.AttributeValueMemberB{Value: body}
	}
	return it, nil
}

// record reads an item back, or nil when it is none or past its expiry.
func (s Ledger) record(it map[string]types.AttributeValue) (*ledger.Record, error) {
	rec, ok := it[attrRec].(*types.AttributeValueMemberB)
	if !ok {
		return nil, nil
	}
	var r ledger.Record
	if err := json.Unmarshal(rec.Value, &r); err != nil {
		return nil, fmt.Errorf("ledger item: %w", err)
	}
	if !s.clock().Before(r.Expires) {
		return nil, nil
	}
	if b, ok := it[attrBody].(*types.AttributeValueMemberB); ok {
		r.Body = b.Value
		if _, zipped := it[attrZip]; zipped {
			zr, err := gzip.NewReader(bytes.NewReader(b.Value))
			if err == nil {
				r.Body, err = io.ReadAll(zr)
			}
			if err != nil {
				return nil, fmt.Errorf("ledger item %q: %w", r.Key, err)
			}
		}
	}
	return &r, nil
}

// unavailable wraps what the table answered other than a failed condition.
func unavailable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: no answer by the deadline (%v)", ledger.ErrUnavailable, err)
	}
	return fmt.Errorf("%w: %v", ledger.ErrUnavailable, err)
}

// failed says err is a failed condition, and returns the item it found
// where the table says (ReturnValuesOnConditionCheckFailure).
func failed(err error) (bool, map[string]types.AttributeValue) {
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return true, cf.Item
	}
	return false, nil
}

func (s Ledger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable(ctx, err)
	}
	it, err := item(r)
	if err != nil {
		return nil, err
	}
	for range 3 {
		_, err = s.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: it,
			ConditionExpression:                 aws.String("attribute_not_exists(pk) OR exp <= :now"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":now": num(s.clock().UnixMilli())},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		cond, old := failed(err)
		if !cond {
			if err != nil {
				return nil, unavailable(ctx, err)
			}
			return nil, nil
		}
		if old == nil { // a table that does not return it: read it
			if old, err = s.getItem(ctx, r.Key); err != nil {
				return nil, err
			}
		}
		if rec, err := s.record(old); rec != nil || err != nil {
			return rec, err
		}
		// Gone or expired between the write and the read: try again.
	}
	return nil, fmt.Errorf("%w: the item %q kept changing", ledger.ErrUnavailable, r.Key)
}

func (s Ledger) Replace(ctx context.Context, token string, r ledger.Record) error {
	if err := ctx.Err(); err != nil {
		return unavailable(ctx, err)
	}
	it, err := item(r)
	if err != nil {
		return err
	}
	_, err = s.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: it,
		ConditionExpression:       aws.String("tok = :tok AND exp > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":tok": str(token), ":now": num(s.clock().UnixMilli())}})
	if cond, _ := failed(err); cond {
		return ledger.ErrLost
	}
	if err != nil {
		return unavailable(ctx, err)
	}
	return nil
}

func (s Ledger) getItem(ctx context.Context, key string) (map[string]types.AttributeValue, error) {
	out, err := s.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.Table, Key: s.key(key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, unavailable(ctx, err)
	}
	return out.Item, nil
}

func (s Ledger) Get(ctx context.Context, key string) (*ledger.Record, error) {
	it, err := s.getItem(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.record(it)
}

func (s Ledger) Delete(ctx context.Context, key, token string) error {
	if err := ctx.Err(); err != nil {
		return unavailable(ctx, err)
	}
	_, err := s.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.Table, Key: s.key(key),
		ConditionExpression:       aws.String("tok = :tok"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":tok": str(token)}})
	if cond, _ := failed(err); err != nil && !cond {
		return unavailable(ctx, err)
	}
	return nil
}

// batchMax is BatchWriteItem's limit of items a call.
const batchMax = 25

// PutBatch writes the records by BatchWriteItem, 25 a call, sending again
// what the table left unprocessed until ctx ends; and adds each set's new
// members in one update.
func (s Ledger) PutBatch(ctx context.Context, recs []ledger.Record, adds []ledger.Member) error {
	for chunk := range slices.Chunk(recs, batchMax) {
		reqs := make([]types.WriteRequest, 0, len(chunk))
		for _, r := range chunk {
			it, err := item(r)
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		if err := s.batchWrite(ctx, reqs); err != nil {
			return err
		}
	}
	for _, set := range ledger.GroupMembers(adds) {
		if len(set.Values) > 0 { // a string set takes no "" and is never empty
			if err := s.add(ctx, set.Key, set.Values, set.Expires); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s Ledger) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	wait := 25 * time.Millisecond
	for len(reqs) > 0 {
		out, err := s.Client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.Table: reqs}})
		if err != nil {
			return unavailable(ctx, err)
		}
		if reqs = out.UnprocessedItems[s.Table]; len(reqs) == 0 {
			return nil
		}
		if wait, err = ledger.Pause(ctx, wait); err != nil { // the table is throttling: back off
			return unavailable(ctx, err)
		}
	}
	return nil
}

// add adds values to the set under key and makes it live until expires at
// least. An update expression has no max(), so it takes up to three
// conditional writes: extend a live set, add to a set that lives longer
// already, or start one where none lives.
func (s Ledger) add(ctx context.Context, key string, values []string, expires time.Time) error {
	m, exp, ttl := &types.AttributeValueMemberSS{Value: values}, num(expires.UnixMilli()), num(expires.Unix()+1)
	ttlName := map[string]string{"#ttl": attrTTL} // TTL is a reserved word
	for range 3 {
		now := num(s.clock().UnixMilli())
		tries := []dynamodb.UpdateItemInput{{
			UpdateExpression: aws.String("ADD m :m SET exp = :exp, #ttl = :ttl"), ExpressionAttributeNames: ttlName,
			ConditionExpression:       aws.String("exp > :now AND exp <= :exp"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":m": m, ":exp": exp, ":ttl": ttl, ":now": now},
		}, {
			UpdateExpression:          aws.String("ADD m :m"),
			ConditionExpression:       aws.String("exp > :exp"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":m": m, ":exp": exp},
		}, {
			UpdateExpression: aws.String("SET m = :m, exp = :exp, #ttl = :ttl"), ExpressionAttributeNames: ttlName,
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR exp <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":m": m, ":exp": exp, ":ttl": ttl, ":now": now},
		}}
		for _, in := range tries {
			in.TableName, in.Key = &s.Table, s.key(key)
			_, err := s.Client.UpdateItem(ctx, &in)
			if cond, _ := failed(err); !cond {
				if err != nil {
					return unavailable(ctx, err)
				}
				return nil
			}
		}
		// The set changed between the writes: look again.
	}
	return fmt.Errorf("%w: the set %q kept changing", ledger.ErrUnavailable, key)
}

func (s Ledger) Members(ctx context.Context, key string) ([]string, error) {
	it, err := s.getItem(ctx, key)
	if err != nil {
		return nil, err
	}
	m, ok := it[attrMembers].(*types.AttributeValueMemberSS)
	exp, _ := it[attrExp].(*types.AttributeValueMemberN)
	if !ok || exp == nil {
		return nil, nil
	}
	if ms, err := strconv.ParseInt(exp.Value, 10, 64); err != nil || ms <= s.clock().UnixMilli() {
		return nil, err
	}
	out := slices.Clone(m.Value)
	slices.Sort(out)
	return out, nil
}
