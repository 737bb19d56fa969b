package emulator

// Key is an AccessKey the emulator accepts. A Key with a SecurityToken is an
// STS key: calls must carry that token.
type Key struct {
	ID            string
	Secret        string
	SecurityToken string
}

// Number is an X number of a pool and the city it belongs to.
type Number struct {
	No   string
	City string
}

// Pool is a number pool. A Strict pool never falls back to another city's X
// when ExpectCity has none free.
type Pool struct {
	Key     string
	Strict  bool
	Numbers []Number
}

// Group is an AXG G group of real numbers, in one pool.
type Group struct {
	ID      int64
	PoolKey string
	Numbers []string
}

// Seed is the emulator's starting state.
type Seed struct {
	Keys   []Key
	Pools  []Pool
	Groups []Group
}

// The demo account: what `make run` and the docs' examples use.
const (
	DemoAccessKeyID     = "LTAI5tDemoAxgBinder000001"
	DemoAccessKeySecret = "DemoSecretNotForProduction000001"
	DemoPoolKey         = "FC123456"
	DemoStrictPoolKey   = "FC654321"
	DemoGroupID         = 1234
	DemoEmptyGroupID    = 1235
)

// Demo is a seed with the demo key, a pool of 30 X numbers in 北京, 上海 and
// 杭州 (FC123456), a strict pool with two X numbers in 北京 (FC654321), a
// group 1234 with two numbers, and an empty group 1235.
func Demo() Seed {
	s := Seed{Keys: []Key{{ID: DemoAccessKeyID, Secret: DemoAccessKeySecret}}}
	pool := Pool{Key: DemoPoolKey}
	cities := []struct{ prefix, city string }{{"1710000", "北京"}, {"1710001", "上海"}, {"1710002", "杭州"}}
	for _, c := range cities {
		for i := 0; i < 10; i++ {
			pool.Numbers = append(pool.Numbers, Number{No: c.prefix + "000" + string(rune('0'+i)), City: c.city})
		}
	}
	strict := Pool{Key: DemoStrictPoolKey, Strict: true, Numbers: []Number{{"17100090001", "北京"}, {"17100090002", "北京"}}}
	s.Pools = []Pool{pool, strict}
	s.Groups = []Group{
		{ID: DemoGroupID, PoolKey: DemoPoolKey, Numbers: []string{"13900000001", "13900000002"}},
		{ID: DemoEmptyGroupID, PoolKey: DemoPoolKey},
		{ID: 4321, PoolKey: DemoStrictPoolKey, Numbers: []string{"13900000003"}},
	}
	return s
}
