package display

// BenchmarkScreens measures the hub against a bare gorilla/websocket
// broadcast loop in the same run (docs/benchmarks-display.md):
//
//	go test ./display -run '^$' -bench BenchmarkScreens -benchtime 500x
//
// Each iteration is one call.next at about 50 calls a second with 1,000
// screens connected. Memory per screen is measured with the screens in a
// child process (this test binary running TestScreenSwarm), so that only the
// server's side counts.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/internal/testenv"
	"github.com/hallq/hallq/queue"
)

const (
	benchScreens  = 1000
	benchCallRate = 50 // calls a second
	benchDialers  = 50 // screens connecting at once
)

func BenchmarkScreens(b *testing.B) {
	calls := b.N

	// The baseline: a bare broadcast loop (gorilla's chat example without pings).
	base := startBaseline(b)
	calledMsg, finishedMsg := sampleMessages(b)
	var seq int64
	baseMem, baseLat := runSwarm(b, base.url, false, base.count, calls, func() (int64, time.Time) {
		t0 := time.Now()
		seq += 2
		base.broadcast(bytes.Replace(finishedMsg, []byte(`"seq":1,`), []byte(`"seq":`+itoa(seq-1)+`,`), 1))
		base.broadcast(bytes.Replace(calledMsg, []byte(`"seq":2,`), []byte(`"seq":`+itoa(seq)+`,`), 1))
		return seq, t0
	})
	base.close()

	// The hub, fed by a real hall with a journal on disk.
	h := MustOpenHall(b, "", nil)
	published := &publishTimes{at: map[int64]time.Time{}}
	h.Subscribe(published.record) // runs just before the hub's fan-out
	for i := 0; i <= calls; i++ {
		h.do(b, queue.TakeTicket{Service: "general"})
	}
	h.do(b, queue.OpenCounter{Counter: "1"})
	hub := MustStartHub(b, h, HubConfig{}, nil)
	connected := func() int { return hub.Stats().Connected }
	hubMem, hubLat := runSwarm(b, hub.url("t1", ""), true, connected, calls, func() (int64, time.Time) {
		t0 := time.Now()
		rep := h.Do(context.Background(), hall.Request{Source: "bench", Cmd: queue.CallNext{Counter: "1"}})
		if !rep.OK {
			b.Errorf("call.next: %v", rep.Error)
		}
		return rep.Seq, t0 // ticket.called is the last event of the call
	})
	pubLat := hubLat.since(published.get)
	if d := hub.Stats().Dropped; d > 0 {
		b.Errorf("%d screens dropped as slow", d)
	}

	p := func(l latencies, q float64) float64 { return ms(l.quantile(q)) }
	b.ReportMetric(p(hubLat, 0.50), "hub-p50-ms")
	b.ReportMetric(p(hubLat, 0.99), "hub-p99-ms")
	b.ReportMetric(p(pubLat, 0.99), "fanout-p99-ms")
	b.ReportMetric(p(baseLat, 0.50), "base-p50-ms")
	b.ReportMetric(p(baseLat, 0.99), "base-p99-ms")
	b.ReportMetric(p(hubLat, 0.99)/p(baseLat, 0.99), "p99-ratio")
	b.ReportMetric(p(pubLat, 0.99)/p(baseLat, 0.99), "fanout-p99-ratio")
	b.ReportMetric(hubMem.bytesPerScreen/1024, "hub-KB/screen")
	b.ReportMetric(baseMem.bytesPerScreen/1024, "base-KB/screen")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d screens, %d calls at %d/s (%d deliveries of ticket.called)", benchScreens, calls, benchCallRate, len(hubLat.d))
	b.Logf("call -> screen    hub p50 %.2f ms p99 %.2f ms | baseline p50 %.2f ms p99 %.2f ms | p99 ratio %.2f",
		p(hubLat, .5), p(hubLat, .99), p(baseLat, .5), p(baseLat, .99), p(hubLat, .99)/p(baseLat, .99))
	b.Logf("publish -> screen hub p50 %.2f ms p99 %.2f ms (without the journal commit) | p99 ratio %.2f",
		p(pubLat, .5), p(pubLat, .99), p(pubLat, .99)/p(baseLat, .99))
	b.Logf("memory per screen hub %.1f KB (%.2f goroutines) | baseline %.1f KB (%.2f goroutines)",
		hubMem.bytesPerScreen/1024, hubMem.goroutinesPerScreen, baseMem.bytesPerScreen/1024, baseMem.goroutinesPerScreen)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// sampleMessages are a ticket.finished (seq 1) and a ticket.called (seq 2)
// as the hub encodes them, for the baseline to send.
func sampleMessages(tb testing.TB) (called, finished []byte) {
	tb.Helper()
	now := time.Now()
	waited, served, waiting := 321, 95, 17
	f, _ := json.Marshal(hall.EventOf(queue.Event{Seq: 1, Kind: queue.EvTicketFinished, At: now, TicketID: "20261123-A023",
		Ticket: "A023", Service: "general", Counter: "1", CounterStatus: "open", Waiting: &waiting, ServedS: &served}))
	c, _ := json.Marshal(hall.EventOf(queue.Event{Seq: 2, Kind: queue.EvTicketCalled, At: now, TicketID: "20261123-A024",
		Ticket: "A024", Service: "general", Counter: "1", CounterStatus: "called", Waiting: &waiting, WaitedS: &waited}))
	return c, f
}

// publishTimes records when the hall handed each event to its subscribers.
type publishTimes struct {
	mu sync.Mutex
	at map[int64]time.Time
}

func (p *publishTimes) record(b hall.Batch) {
	now := time.Now()
	p.mu.Lock()
	for _, e := range b.Events {
		p.at[e.Seq] = now
	}
	p.mu.Unlock()
}

func (p *publishTimes) get(seq int64) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.at[seq]
	return t, ok
}

// receipt is one screen receiving one call.
type receipt struct {
	seq int64
	at  time.Time
}

// latencies are the delays of every screen's receipt of every call.
type latencies struct {
	d        []time.Duration
	receipts []receipt
}

func (l latencies) quantile(q float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	return l.d[min(len(l.d)-1, int(float64(len(l.d))*q))]
}

// since recomputes the latencies from another start time per seq.
func (l latencies) since(start func(int64) (time.Time, bool)) latencies {
	out := latencies{receipts: l.receipts}
	for _, r := range l.receipts {
		if t0, ok := start(r.seq); ok {
			out.d = append(out.d, r.at.Sub(t0))
		}
	}
	slices.Sort(out.d)
	return out
}

// seqOf reads the "seq" of a message without decoding all of it.
func seqOf(data []byte) int64 {
	i := bytes.Index(data, []byte(`"seq":`))
	if i < 0 {
		return -1
	}
	rest := data[i+6:]
	j := bytes.IndexAny(rest, ",}")
	n, _ := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n
}

// dialMany connects n screens, benchDialers at a time; with first, each
// reads the first message before it counts as connected.
func dialMany(tb testing.TB, url string, n int, first bool) []*websocket.Conn {
	tb.Helper()
	conns := make([]*websocket.Conn, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, benchDialers)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err == nil && first {
				_, _, err = c.ReadMessage()
			}
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatalf("dial screen: %v", err)
	}
	return conns
}

// screenMemory is what connected screens cost a server.
type screenMemory struct {
	bytesPerScreen      float64 // Go heap in use plus goroutine stacks
	goroutinesPerScreen float64
}

// runSwarm connects benchScreens screens to url from a child process (this
// binary running TestScreenSwarm), measures what they cost this process,
// then makes calls at benchCallRate with call (which returns the seq of the
// call's ticket.called and when the call began) and returns when each
// screen got each call. first says the server sends a first message
// (the snapshot); connected counts the screens the server holds.
func runSwarm(tb testing.TB, url string, first bool, connected func() int, calls int, call func() (int64, time.Time)) (screenMemory, latencies) {
	tb.Helper()
	before, gBefore := liveBytes(), runtime.NumGoroutine()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScreenSwarm$", "-test.count=1")
	cmd.Env = append(os.Environ(), "HALLQ_SWARM_URL="+url, "HALLQ_SWARM_N="+strconv.Itoa(benchScreens),
		"HALLQ_SWARM_FIRST="+strconv.FormatBool(first))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
		testenv.Eventually(tb, 30*time.Second, func() bool { return connected() == 0 }, "swarm screens still connected")
	}()
	out := bufio.NewScanner(stdout)
	if !out.Scan() || out.Text() != "ready" {
		tb.Fatalf("screen swarm did not start: %s %s", out.Text(), stderr.String())
	}
	testenv.Eventually(tb, 30*time.Second, func() bool { return connected() == benchScreens }, "swarm screens not all registered")
	after, gAfter := liveBytes(), runtime.NumGoroutine()
	mem := screenMemory{bytesPerScreen: float64(after-before) / benchScreens,
		goroutinesPerScreen: float64(gAfter-gBefore) / benchScreens}

	start := map[int64]time.Time{}
	tick := time.NewTicker(time.Second / benchCallRate)
	var last int64
	for i := 0; i < calls; i++ {
		<-tick.C
		s, t0 := call()
		start[s], last = t0, s
	}
	tick.Stop()
	fmt.Fprintf(stdin, "until %d\n", last)
	var l latencies
	for out.Scan() {
		var seq, nanos int64
		if _, err := fmt.Sscan(out.Text(), &seq, &nanos); err != nil {
			break // "done"
		}
		l.receipts = append(l.receipts, receipt{seq: seq, at: time.Unix(0, nanos)})
	}
	if out.Text() != "done" {
		tb.Fatalf("screen swarm failed: %s", stderr.String())
	}
	return mem, l.since(func(s int64) (time.Time, bool) { t, ok := start[s]; return t, ok })
}

// TestScreenSwarm is not a test: BenchmarkScreens runs this binary with it
// to hold HALLQ_SWARM_N screens connected to HALLQ_SWARM_URL from another
// process. It prints "ready" once all are connected, then on "until SEQ" on
// its input waits until every screen got the ticket.called of SEQ, prints
// one "seq unix-nanos" line per screen and call received, and "done".
func TestScreenSwarm(t *testing.T) {
	url := os.Getenv("HALLQ_SWARM_URL")
	if url == "" {
		t.Skip("helper process of BenchmarkScreens")
	}
	n, _ := strconv.Atoi(os.Getenv("HALLQ_SWARM_N"))
	conns := dialMany(t, url, n, os.Getenv("HALLQ_SWARM_FIRST") == "true")
	got := make([][]receipt, len(conns))
	latest := make([]atomic.Int64, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					return
				}
				if bytes.Contains(data, []byte(`"kind":"ticket.called"`)) {
					r := receipt{seq: seqOf(data), at: time.Now()}
					got[i] = append(got[i], r)
					latest[i].Store(r.seq)
				}
			}
		}()
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		return // the benchmark only measured memory
	}
	var last int64
	fmt.Sscanf(in.Text(), "until %d", &last)
	testenv.Eventually(t, 60*time.Second, func() bool {
		for i := range latest {
			if latest[i].Load() < last {
				return false
			}
		}
		return true
	}, "screens did not receive every call")
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	w := bufio.NewWriter(os.Stdout)
	for _, rs := range got {
		for _, r := range rs {
			fmt.Fprintf(w, "%d %d\n", r.seq, r.at.UnixNano())
		}
	}
	fmt.Fprintln(w, "done")
	w.Flush()
}

// liveBytes is the heap in use by live objects plus goroutine stacks, after a GC.
func liveBytes() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}

// baseline is a bare gorilla/websocket broadcast server: one writer
// goroutine and one reader goroutine per client, a bounded queue, and a
// loop that hands each message to every queue.
type baseline struct {
	srv *httptest.Server
	url string

	mu      sync.Mutex
	clients map[*baseClient]struct{}
}

type baseClient struct {
	conn *websocket.Conn
	send chan []byte
}

func startBaseline(tb testing.TB) *baseline {
	b := &baseline{clients: map[*baseClient]struct{}{}}
	up := websocket.Upgrader{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &baseClient{conn: conn, send: make(chan []byte, 256)}
		b.mu.Lock()
		b.clients[c] = struct{}{}
		b.mu.Unlock()
		go func() { // writer
			for msg := range c.send {
				conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if conn.WriteMessage(websocket.TextMessage, msg) != nil {
					break
				}
			}
			conn.Close()
		}()
		go func() { // reader
			for {
				if _, _, err := conn.NextReader(); err != nil {
					break
				}
			}
			b.mu.Lock()
			if _, ok := b.clients[c]; ok {
				delete(b.clients, c)
				close(c.send)
			}
			b.mu.Unlock()
		}()
	}))
	b.url = "ws" + strings.TrimPrefix(b.srv.URL, "http")
	tb.Cleanup(b.close)
	return b
}

func (b *baseline) broadcast(msg []byte) {
	b.mu.Lock()
	for c := range b.clients {
		select {
		case c.send <- msg:
		default:
		}
	}
	b.mu.Unlock()
}

func (b *baseline) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.clients)
}

func (b *baseline) close() {
	b.mu.Lock()
	for c := range b.clients {
		delete(b.clients, c)
		close(c.send)
	}
	b.mu.Unlock()
	b.srv.Close()
}
