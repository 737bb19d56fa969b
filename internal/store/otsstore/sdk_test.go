package otsstore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aliyun/aliyun-tablestore-go-sdk/tablestore"

	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/store/otsstore"
	"github.com/axg-binder/binder/internal/testkit/fakeots"
)

// TestAgreesWithTheSDK: the vendor's SDK and our client on one fake
// instance read each other's rows and conditions alike. The fake decodes
// with the SDK's protocol types and checks signatures with our signer, so
// the SDK's calls passing it checks our signer, and the SDK decoding the
// fake's rows (written by our encoder) checks our plain buffer.
func TestAgreesWithTheSDK(t *testing.T) {
	srv := fakeots.Start(t)
	srv.Table("t")
	sdk := tablestore.NewClient(srv.URL, fakeots.Instance, fakeots.AccessKeyID, fakeots.AccessKeySecret)
	body := []byte("{\"Code\":\"OK\"}\n\x00\xff")
	exp := time.Now().Add(time.Hour)

	// A row written by the SDK, read by the driver.
	put := &tablestore.PutRowChange{TableName: "t", PrimaryKey: &tablestore.PrimaryKey{}}
	put.PrimaryKey.AddPrimaryKeyColumn("pk", "sdk-key")
	put.AddColumn("tok", "sdk-token")
	put.AddColumn("rec", []byte(`{"Key":"sdk-key","Fingerprint":"f","State":"answered","Expires":"`+exp.Format(time.RFC3339Nano)+`"}`))
	put.AddColumn("body", body)
	put.AddColumn("exp", exp.UnixMilli())
	put.SetCondition(tablestore.RowExistenceExpectation_EXPECT_NOT_EXIST)
	if _, err := sdk.PutRow(&tablestore.PutRowRequest{PutRowChange: put}); err != nil {
		t.Fatalf("the SDK's PutRow: %v", err)
	}
	l := otsstore.New(client(srv), "t")
	r, err := l.Get(context.Background(), "sdk-key")
	if err != nil || r == nil || r.Fingerprint != "f" || r.State != ledger.Answered || !bytes.Equal(r.Body, body) {
		t.Fatalf("the SDK's row read by the driver: %+v, %v", r, err)
	}
	// Its condition (a live row under the key) holds against our write.
	if old, err := l.Create(context.Background(), ledger.Record{Key: "sdk-key", Token: "ours", Expires: exp}); err != nil || old == nil || old.Fingerprint != "f" {
		t.Fatalf("Create over the SDK's row: %+v, %v", old, err)
	}

	// A row written by the driver, read by the SDK.
	if _, err := l.Create(context.Background(), ledger.Record{Key: "our-key", Fingerprint: "g", Token: "tk", Expires: exp, Body: body}); err != nil {
		t.Fatal(err)
	}
	get := &tablestore.SingleRowQueryCriteria{TableName: "t", PrimaryKey: &tablestore.PrimaryKey{}, MaxVersion: 1}
	get.PrimaryKey.AddPrimaryKeyColumn("pk", "our-key")
	resp, err := sdk.GetRow(&tablestore.GetRowRequest{SingleRowQueryCriteria: get})
	if err != nil {
		t.Fatalf("the SDK's GetRow: %v", err)
	}
	cols := map[string]any{}
	for _, c := range resp.Columns {
		cols[c.ColumnName] = c.Value
	}
	if cols["tok"] != "tk" || cols["exp"] != exp.UnixMilli() || !bytes.Equal(cols["body"].([]byte), body) {
		t.Fatalf("our row read by the SDK: %v", cols)
	}

	// The SDK's column condition, as the driver writes its own: a token
	// that is not the row's fails it.
	upd := &tablestore.UpdateRowChange{TableName: "t", PrimaryKey: get.PrimaryKey}
	upd.PutColumn("tok", "other")
	upd.SetCondition(tablestore.RowExistenceExpectation_EXPECT_EXIST)
	upd.SetColumnCondition(tablestore.NewSingleColumnCondition("tok", tablestore.CT_EQUAL, "not-tk"))
	_, err = sdk.UpdateRow(&tablestore.UpdateRowRequest{UpdateRowChange: upd})
	var oe *tablestore.OtsError
	if !errors.As(err, &oe) || oe.Code != "OTSConditionCheckFail" {
		t.Fatalf("a failed condition, to the SDK: %v", err)
	}
	upd.SetColumnCondition(tablestore.NewSingleColumnCondition("tok", tablestore.CT_EQUAL, "tk"))
	if _, err := sdk.UpdateRow(&tablestore.UpdateRowRequest{UpdateRowChange: upd}); err != nil {
		t.Fatalf("a condition that holds, to the SDK: %v", err)
	}
	if err := l.Replace(context.Background(), "tk", ledger.Record{Key: "our-key", Token: "t2", Expires: exp}); !errors.Is(err, ledger.ErrLost) {
		t.Fatalf("Replace after the SDK changed the token: %v", err)
	}
}

// TestWrongSecretRefused: the fake checks the signature (so that the SDK
// passing it means something).
func TestWrongSecretRefused(t *testing.T) {
	srv := fakeots.Start(t)
	srv.Table("t")
	c := client(srv)
	c.Credentials = func(context.Context) (otsstore.Credentials, error) {
		return otsstore.Credentials{AccessKeyID: fakeots.AccessKeyID, AccessKeySecret: "wrong"}, nil
	}
	_, err := otsstore.New(c, "t").Get(context.Background(), "k")
	if !errors.Is(err, ledger.ErrUnavailable) || !bytes.Contains([]byte(err.Error()), []byte("OTSAuthFailed")) {
		t.Fatalf("a wrong secret: %v", err)
	}
}

// TestBusyIsSentAgain: a call the service was too busy for is sent again
// within the deadline.
func TestBusyIsSentAgain(t *testing.T) {
	srv := fakeots.Start(t)
	srv.Table("t")
	srv.Busy(2)
	l := otsstore.New(client(srv), "t")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if old, err := l.Create(ctx, ledger.Record{Key: "k", Token: "t", Expires: time.Now().Add(time.Hour)}); err != nil || old != nil {
		t.Fatalf("after two busy answers: %+v, %v", old, err)
	}
	if n := srv.Calls("PutRow"); n != 1 {
		t.Fatalf("PutRow answered %d times", n)
	}
}
