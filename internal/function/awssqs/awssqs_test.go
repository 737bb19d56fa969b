package awssqs_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/axg-binder/binder/internal/function/awssqs"
)

// TestSQSDestination: a receipt delivered to an SQS queue is one
// SendMessage of the vendor's SDK (AWS JSON protocol, signed with the
// role's credentials), its body the envelope; a FIFO queue's message is
// deduplicated by the delivery's Id; a refusal is the delivery's error.
func TestSQSDestination(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "AmazonSQS.SendMessage" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/") {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#InvalidAction","message":"not a signed SendMessage"}`))
			return
		}
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		if strings.Contains(in["QueueUrl"].(string), "refused") {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`))
			return
		}
		mu.Lock()
		got = append(got, in)
		mu.Unlock()
		sum := md5.Sum([]byte(in["MessageBody"].(string)))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"MessageId":"m-1","MD5OfMessageBody":"` + hex.EncodeToString(sum[:]) + `"}`))
	}))
	defer srv.Close()
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL_SQS": srv.URL}
	open := awssqs.Opener(func(k string) string { return env[k] })
	ctx := context.Background()
	for _, url := range []string{"https://sqs.us-east-1.amazonaws.com/1/receipts", "https://sqs.us-east-1.amazonaws.com/1/receipts.fifo"} {
		d, err := open(url)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Deliver(ctx, "id-1", []byte(`{"Id":"id-1"}`), 1); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
	if len(got) != 2 || got[0]["MessageBody"] != `{"Id":"id-1"}` || got[0]["MessageDeduplicationId"] != nil || got[1]["MessageDeduplicationId"] != "id-1" {
		t.Fatalf("sent %v", got)
	}
	d, _ := open("https://sqs.us-east-1.amazonaws.com/1/refused")
	if err := d.Deliver(ctx, "id-2", []byte(`{}`), 1); err == nil || !strings.Contains(err.Error(), "QueueDoesNotExist") {
		t.Fatalf("a refused send: %v", err)
	}
}
