package receipt_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/axg-binder/binder/internal/core/receipt"
)

var now = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeTheVendorsShapes: each type's record as the vendor's pages
// show it (sub_id a number here, a string there; call_time a date or
// milliseconds) reads into one shape, numbers of A and B masked, X kept,
// under the type the route names or, where it names none, the type its
// fields tell.
func TestDecodeTheVendorsShapes(t *testing.T) {
	for _, c := range []struct {
		file, typ, wantType, subs, callTime string
	}{
		{"secretreport.json", "SecretReport", "SecretReport", "1000043068030001", "2021-08-25 20:11:29"},
		{"secretreport.json", "", "SecretReport", "1000043068030001", "2021-08-25 20:11:29"},
		{"secretringreport.json", "SecretRingReport", "SecretRingReport", "1000043068030001", "2021-12-10 10:00:00"},
		{"secretringreport.json", "", "SecretRingReport", "1000043068030001", "2021-12-10 10:00:00"},
		{"secretrecording.json", "SecretRecording", "SecretRecording", "1000043068030001", "1629893489000"},
		{"secretrecording.json", "", "SecretRecording", "1000043068030001", "1629893489000"},
	} {
		rcs, bad, err := receipt.Decode(read(t, c.file), c.typ, now)
		if err != nil || len(bad) != 0 || len(rcs) != 1 {
			t.Fatalf("%s as %q: %v, %v, %d receipts", c.file, c.typ, err, bad, len(rcs))
		}
		rc := rcs[0]
		if rc.Type != c.wantType || rc.Inferred != (c.typ == "") || rc.SubsId != c.subs || rc.CallTime != c.callTime || len(rc.ID) != 32 {
			t.Errorf("%s as %q: %+v", c.file, c.typ, rc)
		}
		b, _ := json.Marshal(rc)
		for _, full := range []string{"17100003225", "15200001504", "15800000000", "13144560001", "13049840002"} {
			if strings.Contains(string(b), full) {
				t.Errorf("%s: %s kept in clear: %s", c.file, full, b)
			}
		}
	}
	rc, _ := receipt.One([]byte(`{"phone_no":"17100003225","secret_no":"18600007614","peer_no":"15200001504","sub_id":1,"call_id":"c"}`), "SecretStartReport", now)
	if rc.PhoneNo != "171****3225" || rc.PeerNo != "152****1504" || rc.SecretNo != "18600007614" {
		t.Errorf("masking: %+v", rc)
	}
}

// TestOneReceiptOneID: the same receipt delivered again, its fields in
// another order or its sub_id another JSON type, has the same ID; another
// type of the same call, or another call, another.
func TestOneReceiptOneID(t *testing.T) {
	id := func(body, typ string) string {
		rc, err := receipt.One([]byte(body), typ, now)
		if err != nil {
			t.Fatal(err)
		}
		return rc.ID
	}
	a := id(`{"call_id":"c1","sub_id":1,"pool_key":"FC1"}`, "SecretReport")
	if b := id(`{"pool_key":"FC1","sub_id":"1","call_id":"c1"}`, "SecretReport"); b != a {
		t.Errorf("a repeat has another ID: %s, %s", a, b)
	}
	if b := id(`{"call_id":"c1","sub_id":1,"pool_key":"FC1"}`, "SecretStartReport"); b == a {
		t.Error("another type of the same call has the same ID")
	}
	if b := id(`{"call_id":"c2","sub_id":1,"pool_key":"FC1"}`, "SecretReport"); b == a {
		t.Error("another call has the same ID")
	}
}

// TestABadRecordIsItsOwn: a record that is no receipt is that record's
// error, the batch's others read on; a body that is no JSON array is
// refused whole.
func TestABadRecordIsItsOwn(t *testing.T) {
	rcs, bad, err := receipt.Decode([]byte(`[{"call_id":"c1","sub_id":1},7,{"sub_id":1.5,"call_id":"x"},{"pool_key":"FC1"},{"call_id":"c2","sub_id":"2"}]`), "SecretReport", now)
	if err != nil || len(rcs) != 2 || len(bad) != 3 {
		t.Fatalf("%d receipts, %v, %v", len(rcs), bad, err)
	}
	for _, body := range []string{`{"call_id":"c"}`, `nonsense`, `[] []`, ``} {
		if _, _, err := receipt.Decode([]byte(body), "SecretReport", now); !errors.Is(err, receipt.ErrNotArray) {
			t.Errorf("%q: %v, want ErrNotArray", body, err)
		}
	}
	if rcs, bad, _ := receipt.Decode([]byte(`[{"call_id":"c","sub_id":1}]`), "SecretReports", now); len(rcs) != 0 || len(bad) != 1 {
		t.Errorf("an unknown type was taken: %+v", rcs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"secretreport.json", "secretringreport.json", "secretrecording.json"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b, "")
		f.Add(b, "SecretReport")
	}
	f.Add([]byte(`[{"sub_id":"1e99","call_id":null},[],"x",{"phone_no":"１３８００１３８０００","sub_id":1}]`), "SecretStartReport")
	f.Fuzz(func(t *testing.T, body []byte, typ string) {
		rcs, _, err := receipt.Decode(body, typ, now)
		if err != nil {
			return
		}
		for _, rc := range rcs {
			if len(rc.ID) != 32 || !receipt.Known(rc.Type) || (rc.CallId == "" && rc.SubsId == "") {
				t.Fatalf("%+v", rc)
			}
			if _, err := json.Marshal(rc); err != nil {
				t.Fatalf("a receipt that cannot be written: %v", err)
			}
		}
	})
}
