package batchfile_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/axg-binder/binder/emulator"
	"github.com/axg-binder/binder/internal/core"
	"github.com/axg-binder/binder/internal/core/batchfile"
	"github.com/axg-binder/binder/internal/core/dypls"
	"github.com/axg-binder/binder/internal/core/ledger"
	"github.com/axg-binder/binder/internal/core/validate"
)

// steps is the ledger the tests' runs hold their steps in, shared by the
// runs of a file as a folder, Redis or a cloud table would be.
var steps = ledger.New(ledger.NewMemory(1 << 30))

// opts gives o the tests' ledger, unless it has one, and a scope of the
// test's own.
func opts(t testing.TB, o batchfile.Options) batchfile.Options {
	if o.Ledger == nil {
		o.Ledger = steps
	}
	if o.Scope == "" {
		o.Scope = t.Name()
	}
	return o
}

// lapsed is l judged a minute on: a step that a dead run left held is
// taken over at once, where a real run waits its lease out.
func lapsed(l *ledger.Ledger) *ledger.Ledger {
	return l.At(func() time.Time { return time.Now().Add(time.Minute) })
}

var exp = time.Now().Add(24 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)

func service(t testing.TB) (*core.Service, *emulator.Emulator) {
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e6, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
	return svc, emu
}

// bad rows: their row number → the code they must end with.
type expectation map[int]core.Code

// writeCSV writes n rows, with broken ones at fixed places.
func writeCSV(t testing.TB, dir string, n int) (string, expectation) {
	var b strings.Builder
	b.WriteString("\xef\xbb\xbfPhoneNoA,GroupId,Expiration,ExpectCity\r\n")
	bad := expectation{}
	for i := 1; i <= n; i++ {
		switch {
		case i%997 == 0:
			fmt.Fprintf(&b, "138%08d,1234,%s,北京\r\n", i, "tomorrow")
			bad[i] = core.CodeExpireDateIllegal
		case i%1499 == 0:
			fmt.Fprintf(&b, "1380,1234,%s,北京\r\n", exp)
			bad[i] = core.CodeMobileIllegal
		case i == 5003:
			fmt.Fprintf(&b, "138%08d,1234\r\n", i)
			bad[i] = core.CodeInvalidParameters
		case i == 7001:
			fmt.Fprintf(&b, "138%08d,1235,%s,北京\r\n", i, exp) // the empty group: refused upstream
			bad[i] = core.CodeIllegalArgument
		default:
			fmt.Fprintf(&b, "138 %08d,1234,%s,北京\r\n", i, exp)
		}
	}
	path := filepath.Join(dir, "bindings.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, bad
}

func writeJSONL(t testing.TB, dir string, n int) (string, expectation) {
	var b strings.Builder
	bad := expectation{}
	for i := 1; i <= n; i++ {
		switch {
		case i%1009 == 0:
			fmt.Fprintf(&b, "{\"PhoneNoA\":\"139%08d\",\"GroupId\":\n", i)
			bad[i] = core.CodeInvalidParameters
		case i%1301 == 0:
			fmt.Fprintf(&b, `{"PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s","CallDisplayType":2}`+"\n", i, exp)
			bad[i] = core.CodeInvalidParameters
		default:
			fmt.Fprintf(&b, `{"PhoneNoA":"139%08d","GroupId":1234,"Expiration":"%s"}`+"\r\n", i, exp)
		}
		if i%2500 == 0 {
			b.WriteString("\n") // blank lines are no rows
		}
	}
	path := filepath.Join(dir, "bindings.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, bad
}

func open(t testing.TB, path, pool string) *batchfile.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rd, err := batchfile.Open(path, f, validate.New(nil, 1000), pool, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

// check holds the results to the input: one line per row, in order, each
// bad row with its code, each good row bound exactly once.
func check(t *testing.T, path string, n int, bad expectation, emu *emulator.Emulator, phone func(int) string) {
	t.Helper()
	f, err := os.Open(path + ".results.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	row := 0
	for sc.Scan() {
		row++
		line := sc.Text()
		if !strings.Contains(line, fmt.Sprintf(`"Row":%d,`, row)) {
			t.Fatalf("line %d is not row %d: %s", row, row, line)
		}
		want := core.CodeOK
		if c, ok := bad[row]; ok {
			want = c
		}
		if !strings.Contains(line, `"Code":"`+string(want)+`"`) {
			t.Fatalf("row %d: %s, want %s", row, line, want)
		}
		if _, isBad := bad[row]; !isBad {
			if subs := emu.BindingsOf(phone(row)); len(subs) != 1 {
				t.Fatalf("row %d (%s) bound %d times", row, phone(row), len(subs))
			}
		}
	}
	if row != n {
		t.Fatalf("%d result lines for %d rows", row, n)
	}
	if got, want := emu.Stats().Bindings, n-len(bad); got != want {
		t.Fatalf("%d bindings for %d good rows", got, want)
	}
}

// TestManyRows: a file of several steps (1,000 rows each) binds every good
// row once, answers every row, and a redelivery binds nothing. (Scale and
// flat memory are make bench's: 1,000,000 rows.)
func TestManyRows(t *testing.T) {
	t.Parallel()
	const n = 3500
	for _, c := range []struct {
		name  string
		write func(testing.TB, string, int) (string, expectation)
		phone func(int) string
	}{
		{"csv", writeCSV, func(i int) string { return fmt.Sprintf("138%08d", i) }},
		{"jsonl", writeJSONL, func(i int) string { return fmt.Sprintf("139%08d", i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, bad := c.write(t, t.TempDir(), n)
			svc, emu := service(t)
			st := batchfile.DirStore{Base: path}
			s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e1"}))
			if err != nil {
				t.Fatal(err)
			}
			if s.Rows != n || s.Counts[core.CodeOK] != n-len(bad) || s.ETag != "e1" {
				t.Fatalf("summary %+v", s)
			}
			check(t, path, n, bad, emu, c.phone)

			// The same event delivered again binds nothing new.
			calls := emu.Stats().Calls["BindBatchAxg"]
			again, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e1"}))
			if err != nil || again.Rows != n || emu.Stats().Calls["BindBatchAxg"] != calls {
				t.Fatalf("redelivery: %+v %v, %d calls after %d", again, err, emu.Stats().Calls["BindBatchAxg"], calls)
			}
		})
	}
}

// TestInterruptedAndResumed: a run cancelled after a random step stops, and
// the next run finishes with every row bound exactly once.
func TestInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	const n = 5000
	path, bad := writeCSV(t, t.TempDir(), n)
	svc, emu := service(t)
	st := batchfile.DirStore{Base: path}
	ctx, cancel := context.WithCancel(context.Background())
	stopAt := 1 + rand.IntN(n/500-1)
	_, err := batchfile.Run(ctx, svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e", Chunk: 500,
		Progress: func(done int) {
			if done >= stopAt*500 {
				cancel()
			}
		}}))
	if !errors.Is(err, batchfile.ErrIncomplete) {
		t.Fatalf("interrupted run: %v", err)
	}
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e", Chunk: 500})); err != nil {
		t.Fatal(err)
	}
	check(t, path, n, bad, emu, func(i int) string { return fmt.Sprintf("138%08d", i) })
}

// failingStore fails one write, as a crash at that point would.
type failingStore struct {
	batchfile.DirStore
	failAppend, failSave bool
}

var errCrash = errors.New("crash")

func (f *failingStore) AppendResults(ctx context.Context, off int64, b []byte) error {
	if f.failAppend {
		f.failAppend = false
		return errCrash // the step was sent; its results never written
	}
	return f.DirStore.AppendResults(ctx, off, b)
}

func (f *failingStore) SaveCheckpoint(ctx context.Context, cp batchfile.Checkpoint) error {
	if f.failSave && cp.InFlight == 0 && cp.Done > 0 {
		f.failSave = false
		return errCrash // the results were written; the checkpoint never moved
	}
	return f.DirStore.SaveCheckpoint(ctx, cp)
}

// TestCrashes: a run that dies after sending a step never sends it again:
// written results stand, and so do results it journaled but did not write.
func TestCrashes(t *testing.T) {
	t.Parallel()
	const n = 1200
	for _, c := range []struct {
		name       string
		store      func(base string) *failingStore
		wantCodeAt core.Code // the first step's rows after the restart
	}{
		{"results lost", func(b string) *failingStore {
			return &failingStore{DirStore: batchfile.DirStore{Base: b}, failAppend: true}
		}, core.CodeOK}, // from the step's journal
		{"checkpoint lost", func(b string) *failingStore {
			return &failingStore{DirStore: batchfile.DirStore{Base: b}, failSave: true}
		}, core.CodeOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path, bad := writeJSONL(t, t.TempDir(), n)
			svc, emu := service(t)
			st := c.store(path)
			if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e", Chunk: 400})); !errors.Is(err, errCrash) {
				t.Fatalf("first run: %v", err)
			}
			// The crashed run's step is taken over once its hold lapses.
			s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, opts(t, batchfile.Options{ETag: "e", Chunk: 400, Ledger: lapsed(steps)}))
			if err != nil || s.Rows != n {
				t.Fatalf("second run: %+v %v", s, err)
			}
			for i := 1; i <= n; i++ {
				if _, isBad := bad[i]; !isBad && len(emu.BindingsOf(fmt.Sprintf("139%08d", i))) != 1 {
					t.Fatalf("row %d bound %d times", i, len(emu.BindingsOf(fmt.Sprintf("139%08d", i))))
				}
			}
			if s.Counts[c.wantCodeAt] < 400-len(bad) {
				t.Fatalf("counts %v, want the first step's rows as %s", s.Counts, c.wantCodeAt)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       batchfile.Format
		ok         bool
	}{
		{"a.csv", "PhoneNoA,GroupId", batchfile.CSV, true},
		{"a.CSV", "\xef\xbb\xbfPhoneNoA", batchfile.CSV, true},
		{"a.jsonl", "\xef\xbb\xbf {\"PhoneNoA\"", batchfile.JSONL, true},
		{"a.ndjson", "{", batchfile.JSONL, true},
		{"a.csv", "{\"PhoneNoA\"", "", false},
		{"a.jsonl", "PhoneNoA,GroupId", "", false},
		{"a.txt", "PhoneNoA", "", false},
	} {
		got, err := batchfile.Detect(c.name, []byte(c.head))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Detect(%q, %q) = %q, %v", c.name, c.head, got, err)
		}
	}
}

func TestBadHeaders(t *testing.T) {
	v := validate.New(nil, 10)
	for _, h := range []string{"PhoneNoA,GroupId,Expiration,PhoneNoC\n", "PhoneNoA,GroupId\n", "PhoneNoA,PhoneNoA,GroupId,Expiration\n", ""} {
		if _, err := batchfile.Open("rows.csv", strings.NewReader(h), v, "FC1", 0); err == nil {
			t.Errorf("header %q accepted", h)
		}
	}
	if _, err := batchfile.Open("rows.csv", strings.NewReader("PhoneNoA,GroupId,Expiration\n"), v, "", 0); err == nil {
		t.Error("no PoolKey anywhere accepted")
	}
}

func TestUnreadableCheckpointRefuses(t *testing.T) {
	path, _ := writeCSV(t, t.TempDir(), 10)
	if err := os.WriteFile(path+".checkpoint.json", []byte("{torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc, emu := service(t)
	_, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), batchfile.DirStore{Base: path}, opts(t, batchfile.Options{ETag: "e"}))
	if err == nil || !strings.Contains(err.Error(), "unreadable") || emu.Stats().Bindings != 0 {
		t.Fatalf("%v, %d bindings", err, emu.Stats().Bindings)
	}
}

// TestConcurrentRunsBindOnce: runs of one file at the same time bind each row
// once and report each row truly; the runs that find a step claimed, or in
// flight under a live claim, stop with ErrBusy, and a later run finishes.
func TestConcurrentRunsBindOnce(t *testing.T) {
	const n = 3000
	path, bad := writeCSV(t, t.TempDir(), n)
	svc, emu := service(t)
	st := batchfile.DirStore{Base: path}
	mem := ledger.NewMemory(0)
	o := batchfile.Options{ETag: "e", Chunk: 500, Ledger: ledger.New(mem)}
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		rd := open(t, path, emulator.DemoPoolKey)
		go func() {
			_, err := batchfile.Run(context.Background(), svc, rd, st, o)
			errs <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != nil && !errors.Is(err, batchfile.ErrBusy) {
			t.Fatal(err)
		}
	}
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, o); err != nil {
		t.Fatal(err)
	}
	check(t, path, n, bad, emu, func(i int) string { return fmt.Sprintf("138%08d", i) }) // every good row OK: none reported unknown
	if used := mem.Used(); used != 0 {
		t.Fatalf("step holds or journals left in the ledger: %d bytes", used)
	}
}

// TestBindAnswersAnUnreadableFile: a file that is no CSV or JSON Lines binds
// nothing and is answered by its summary, not by an error that would have it
// delivered again; a readable one binds through the same call.
func TestBindAnswersAnUnreadableFile(t *testing.T) {
	svc, emu := service(t)
	v := validate.New(nil, 1000)
	dir := t.TempDir()
	for _, c := range []struct{ name, body, want string }{
		{"a.csv", `{"PhoneNoA":"13800000000"}` + "\n", "holds JSON Lines"},
		{"b.txt", "PhoneNoA\n", "want a .csv or .jsonl file"},
		{"c.csv", "Phone,GroupId,Expiration\n", `column 1 "Phone" is not a field of BindAxg`},
	} {
		st := batchfile.DirStore{Base: filepath.Join(dir, c.name)}
		s, err := batchfile.Bind(context.Background(), svc, v, batchfile.File{Name: c.name, ETag: "e", Body: strings.NewReader(c.body)}, st, opts(t, batchfile.Options{PoolKey: "FC123456"}))
		saved, rerr := st.ReadSummary(context.Background())
		if err != nil || rerr != nil || !strings.Contains(s.Error, c.want) || saved.Error != s.Error || s.Rows != 0 {
			t.Errorf("%s: %+v, %v; saved %+v, %v", c.name, s, err, saved, rerr)
		}
	}
	if emu.Stats().Bindings != 0 {
		t.Fatalf("%d bindings", emu.Stats().Bindings)
	}
	exp := time.Now().Add(48 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	body := "PhoneNoA,GroupId,Expiration\n13800000001," + strconv.Itoa(emulator.DemoGroupID) + "," + exp + "\n"
	s, err := batchfile.Bind(context.Background(), svc, v, batchfile.File{Name: "d.csv", ETag: "e", Body: strings.NewReader(body)},
		batchfile.DirStore{Base: filepath.Join(dir, "d.csv")}, opts(t, batchfile.Options{PoolKey: emulator.DemoPoolKey}))
	if err != nil || s.Rows != 1 || s.Counts["OK"] != 1 || emu.Stats().Bindings != 1 {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestNotFinishedCoversBusyAndIncomplete(t *testing.T) {
	if !errors.Is(batchfile.ErrBusy, batchfile.ErrNotFinished) || !errors.Is(batchfile.ErrIncomplete, batchfile.ErrNotFinished) {
		t.Fatal("ErrBusy and ErrIncomplete must be ErrNotFinished: adapters ask for another run on it alone")
	}
}

// TestRowsAreBounded: a huge cell or line is its row's error and memory
// stays flat (a 50 MB cell took 655 MB); a stray quote is its row's error
// and the rows after it are read on (they were swallowed into one error row).
func TestRowsAreBounded(t *testing.T) {
	v := validate.New(nil, 1000)
	exp := time.Now().Add(48 * time.Hour).In(validate.CST).Format(validate.ExpirationLayout)
	good := func(i int) string { return fmt.Sprintf("139%08d,1234,%s\n", i, exp) }
	read := func(t *testing.T, name, body string) (rows []batchfile.Row, allocated uint64) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		rd, err := batchfile.Open(name, strings.NewReader(body), v, "FC123456", 64<<10)
		if err != nil {
			t.Fatal(err)
		}
		for {
			row, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row)
		}
		runtime.ReadMemStats(&after)
		return rows, after.TotalAlloc - before.TotalAlloc
	}
	huge := strings.Repeat("x", 20<<20)
	t.Run("a huge cell", func(t *testing.T) {
		body := "PhoneNoA,GroupId,Expiration,OutId\n" + strings.TrimSuffix(good(1), "\n") + ",a\n" +
			"13900000002,1234," + exp + "," + huge + "\n" + strings.TrimSuffix(good(3), "\n") + ",c\n"
		rows, alloc := read(t, "f.csv", body)
		if len(rows) != 3 || rows[0].Err != nil || rows[1].Err == nil || !strings.Contains(rows[1].Err.Message, "AXG_MAX_ROW_BYTES") ||
			rows[2].Err != nil || rows[2].Line != 4 {
			t.Fatalf("rows %+v", rows)
		}
		if alloc > 4<<20 {
			t.Errorf("reading a 20 MB cell allocated %d MB", alloc>>20)
		}
	})
	t.Run("a huge line", func(t *testing.T) {
		body := `{"PhoneNoA":"13900000001","GroupId":1,"Expiration":"` + exp + `"}` + "\n" + `{"OutId":"` + huge + `"}` + "\n" +
			`{"PhoneNoA":"13900000003","GroupId":1,"Expiration":"` + exp + `"}` + "\n"
		rows, alloc := read(t, "f.jsonl", body)
		if len(rows) != 3 || rows[0].Err != nil || rows[1].Err == nil || rows[2].Err != nil || rows[2].Line != 3 {
			t.Fatalf("rows %+v", rows)
		}
		if alloc > 4<<20 {
			t.Errorf("reading a 20 MB line allocated %d MB", alloc>>20)
		}
	})
	t.Run("a stray quote", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("PhoneNoA,GroupId,Expiration\n")
		b.WriteString(`"13900000000,1234,` + exp + "\n") // the quote never closes
		for i := 2; i <= 10000; i++ {
			b.WriteString(good(i))
		}
		rows, _ := read(t, "f.csv", b.String())
		if len(rows) != 10000 || rows[0].Err == nil || !strings.Contains(rows[0].Err.Message, "quote") {
			t.Fatalf("%d rows, the first %+v", len(rows), rows[0])
		}
		for i, r := range rows[1:] {
			if r.Err != nil || r.N != i+2 || r.Line != i+3 {
				t.Fatalf("row %d after the stray quote: %+v", i+2, r)
			}
		}
	})
}

// crashingLedger dies, as a kill -9 would, once a number of chunks have
// their results journaled: the chunk after them was sent, its results never
// written, and the chunks after it never sent.
type crashingLedger struct {
	ledger.Driver
	settledLeft int
	mu          sync.Mutex
}

func (c *crashingLedger) Create(ctx context.Context, r ledger.Record) (*ledger.Record, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(r.Body), `"Settled"`) {
		if c.settledLeft == 0 {
			return nil, errCrash
		}
		c.settledLeft--
	}
	return c.Driver.Create(ctx, r)
}

// TestKilledMidStep: a run killed in the middle of a step leaves unknown
// only the call it had in flight; the next run takes the dead run's step
// over once its hold lapses, keeps what was answered, and sends what never
// was (all of the step was UpstreamTimeout, and the rest never bound).
func TestKilledMidStep(t *testing.T) {
	t.Parallel()
	const n = 1000
	path, bad := writeJSONL(t, t.TempDir(), n)
	emu := emulator.New(emulator.Demo(), emulator.WithQPS(0))
	c, err := dypls.New(dypls.Config{Endpoint: "https://dyplsapi.aliyuncs.com", AccessKeyID: emulator.DemoAccessKeyID,
		AccessKeySecret: emulator.DemoAccessKeySecret, Transport: emu.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := core.NewService(c, core.Options{QPS: 1e6, Chunk: 100, Concurrency: 1})
	st := batchfile.DirStore{Base: path}
	mem := ledger.NewMemory(0)
	dying := ledger.New(&crashingLedger{Driver: mem, settledLeft: 2})
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Chunk: n, Ledger: dying}); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v", err)
	}
	boundBefore := emu.Stats().Bindings
	// Within the lease the dead run's hold still stands; after it, the step is taken over.
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Chunk: n, Ledger: ledger.New(mem)}); !errors.Is(err, batchfile.ErrBusy) {
		t.Fatalf("within the lease: %v", err)
	}
	s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Chunk: n, Ledger: lapsed(ledger.New(mem))})
	if err != nil || s.Rows != n {
		t.Fatalf("second run: %+v %v", s, err)
	}
	badIn := func(from, to int) int {
		k := 0
		for i := range bad {
			if i >= from && i <= to {
				k++
			}
		}
		return k
	}
	// Rows 1-200 answered and journaled; 201-300 sent, unanswered in the
	// journal; 301-1000 never sent until the second run.
	if got, want := s.Counts[core.CodeUpstreamTimeout], 100-badIn(201, 300); got != want {
		t.Errorf("%d rows of unknown outcome, want %d (the one call in flight): %v", got, want, s.Counts)
	}
	if got, want := s.Counts[core.CodeOK], n-len(bad)-(100-badIn(201, 300)); got != want {
		t.Errorf("%d rows bound, want %d: %v", got, want, s.Counts)
	}
	if boundBefore != 300-badIn(1, 300) {
		t.Errorf("the first run bound %d rows before it died, want 300 less the bad ones", boundBefore)
	}
	for i := 1; i <= n; i++ {
		if _, isBad := bad[i]; !isBad && len(emu.BindingsOf(fmt.Sprintf("139%08d", i))) != 1 {
			t.Fatalf("row %d bound %d times", i, len(emu.BindingsOf(fmt.Sprintf("139%08d", i))))
		}
	}
	if used := mem.Used(); used != 0 {
		t.Fatalf("the dead run's hold or journal outlived the step: %d bytes", used)
	}
}

// TestLostJournalLeavesTheStepUnknown: a step in flight whose hold and
// journal the ledger lost (a memory ledger's instance gone) is settled as
// unknown, every row that may have been sent UpstreamTimeout, none sent
// again.
func TestLostJournalLeavesTheStepUnknown(t *testing.T) {
	t.Parallel()
	const n = 600
	path, bad := writeJSONL(t, t.TempDir(), n)
	svc, emu := service(t)
	st := batchfile.DirStore{Base: path}
	dying := ledger.New(&crashingLedger{Driver: ledger.NewMemory(0), settledLeft: 1})
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Chunk: 200, Ledger: dying}); !errors.Is(err, errCrash) {
		t.Fatalf("first run: %v", err)
	}
	bound := emu.Stats().Bindings
	s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, batchfile.Options{ETag: "e", Chunk: 200, Ledger: ledger.New(ledger.NewMemory(0))})
	if err != nil || s.Rows != n {
		t.Fatalf("second run: %+v %v", s, err)
	}
	badIn := 0
	for i := range bad {
		if i <= 200 {
			badIn++
		}
	}
	if got := s.Counts[core.CodeUpstreamTimeout]; got != 200-badIn {
		t.Errorf("%d rows of unknown outcome, want the step's %d good rows: %v", got, 200-badIn, s.Counts)
	}
	if emu.Stats().Bindings-bound != n-200-(len(bad)-badIn) {
		t.Errorf("the second run bound %d rows, want only the steps after the lost one", emu.Stats().Bindings-bound)
	}
}

// diesInFlight fails the first save of a step in flight: a run that died
// after holding a step, before recording it in flight.
type diesInFlight struct {
	batchfile.DirStore
	once sync.Once
}

func (d *diesInFlight) SaveCheckpoint(ctx context.Context, cp batchfile.Checkpoint) error {
	err := error(nil)
	if cp.InFlight > 0 {
		d.once.Do(func() { err = errCrash })
	}
	if err != nil {
		return err
	}
	return d.DirStore.SaveCheckpoint(ctx, cp)
}

// TestDanglingHoldIsTakenOver: a run that died after holding a step but
// before recording it in flight sent nothing; its hold stops later runs
// only for a lease.
func TestDanglingHoldIsTakenOver(t *testing.T) {
	t.Parallel()
	path, _ := writeCSV(t, t.TempDir(), 50)
	svc, emu := service(t)
	st := &diesInFlight{DirStore: batchfile.DirStore{Base: path}}
	o := opts(t, batchfile.Options{ETag: "e"})
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, o); !errors.Is(err, errCrash) {
		t.Fatalf("the run that dies: %v", err)
	}
	if _, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, o); !errors.Is(err, batchfile.ErrBusy) {
		t.Fatalf("within the lease: %v", err)
	}
	o.Ledger = lapsed(o.Ledger)
	s, err := batchfile.Run(context.Background(), svc, open(t, path, emulator.DemoPoolKey), st, o)
	if err != nil || s.Rows != 50 || emu.Stats().Bindings == 0 {
		t.Fatalf("after the lease: %+v %v", s, err)
	}
}
