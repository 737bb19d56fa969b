// Package payload makes the requests that load tests and benchmarks send.
package payload

import (
	"fmt"
	"strings"
	"time"
)

// FullBatch is a batch-bind of 1,000 items in pool, every field at its
// limit so that each item is sent (an OutId over 128 characters would fail
// alone, and nothing would be): about 870 KB, near AXG_MAX_BODY_BYTES'
// default of 1 MiB, as the memory tests need.
func FullBatch(pool string, now time.Time) string {
	exp := now.Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"PhoneNoA":"1380%07d","GroupId":1234,"Expiration":"%s","OutId":"%s","OutOrderId":"%s","RingConfig":{"AXGRing_A":"%s"}}`,
			i, exp, strings.Repeat("x", 128), strings.Repeat("y", 128), strings.Repeat("1", 480))
	}
	return `{"PoolKey":"` + pool + `","AxgBindList":[` + strings.Join(items, ",") + `]}`
}
