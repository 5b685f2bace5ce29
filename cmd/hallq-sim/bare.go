package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pmqtt "github.com/eclipse/paho.mqtt.golang"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"

	"github.com/hallq/hallq/queue"
	"github.com/hallq/hallq/store"
)

// The CPU baseline of a load run (--cpu-baseline): the least a server must
// spend on one request, measured on the same machine in the same run. A
// child process (hallq-sim --bare-server) runs a bare mochi broker whose
// inline client takes each request on bare/{client}/req, appends one event
// to a hallq journal (store.Journal, group-committed: every request queued
// while the previous commit ran shares the next fsync) and publishes the
// reply on bare/{client}/res, all at QoS 1. The same number of clients then
// send requests at the load's rate, and the child's process CPU is divided
// by the requests it answered.

// bareServer is the --bare-server mode: it serves until stdin closes.
func bareServer(ctx context.Context, listen, dir string, stdin io.Reader, stdout io.Writer) error {
	j, err := store.Open(dir, "bare", zerolog.Nop())
	if err != nil {
		return err
	}
	defer j.Close()
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("bare server: listen %s: %w", listen, err)
	}
	if err := srv.AddListener(listeners.NewNet("bare", ln)); err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	type req struct {
		client  string
		payload []byte
	}
	in := make(chan req, 4096)
	if err := srv.Subscribe("bare/+/req", 1, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		in <- req{client: strings.Split(pk.TopicName, "/")[1], payload: pk.Payload}
	}); err != nil {
		return fmt.Errorf("bare server: subscribe: %w", err)
	}
	if err := srv.Serve(); err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	defer srv.Close()
	done, quit := make(chan struct{}), make(chan struct{})
	go func() { // the group committer, as the hall's writer: one append per batch
		defer close(done)
		at := time.Now()
		var batch []req
		for {
			select {
			case r := <-in:
				batch = append(batch[:0], r)
			case <-quit:
				return
			}
		drain:
			for len(batch) < 1024 {
				select {
				case r := <-in:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			evs := make([]queue.Event, len(batch))
			for i := range batch {
				seq := j.LastSeq() + int64(i) + 1 // ticket ids are unique in the journal
				n := int(seq)
				num := fmt.Sprintf("A%03d", n)
				evs[i] = queue.Event{Seq: seq, Kind: queue.EvTicketIssued, At: at,
					TicketID: queue.TicketID("2026-11-23", num), Ticket: num, N: n, Service: "general", Channel: "walk_in"}
			}
			if err := j.Append(evs, nil); err != nil {
				fmt.Fprintln(os.Stderr, "bare server: append:", err)
				continue
			}
			for _, r := range batch {
				_ = srv.Publish("bare/"+r.client+"/res", r.payload, false, 1)
			}
		}
	}()
	fmt.Fprintln(stdout, "listening", ln.Addr().String())
	stop := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdin); close(stop) }()
	select {
	case <-stop:
	case <-ctx.Done():
	}
	_ = srv.Unsubscribe("bare/+/req", 1)
	close(quit)
	<-done
	return nil
}

// BaselineOptions configure the CPU baseline run.
type BaselineOptions struct {
	Clients  int           // connections sending requests
	Rate     float64       // requests per second over all clients
	Duration time.Duration // measured run
	Timeout  time.Duration // per request
	Seed     uint64
}

// RunCPUBaseline starts the bare server as a child process, drives it and
// returns the child's CPU per request.
func RunCPUBaseline(ctx context.Context, o BaselineOptions) (CPUUse, error) {
	exe, err := os.Executable()
	if err != nil {
		return CPUUse{}, fmt.Errorf("cpu baseline: %w", err)
	}
	dir, err := os.MkdirTemp("", "hallq-sim-bare-")
	if err != nil {
		return CPUUse{}, fmt.Errorf("cpu baseline: %w", err)
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, exe, "--bare-server", "--bare-dir", dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return CPUUse{}, fmt.Errorf("cpu baseline: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return CPUUse{}, fmt.Errorf("cpu baseline: %w", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return CPUUse{}, fmt.Errorf("cpu baseline: start %s --bare-server: %w", exe, err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }() // closing stdin stops it
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		return CPUUse{}, fmt.Errorf("cpu baseline: the bare server said %q: %v", line, err)
	}
	return driveBare(ctx, "tcp://"+addr, cmd.Process.Pid, o)
}

// driveBare sends requests at o.Rate over o.Clients connections for
// o.Duration and measures process pid's CPU while it answers them.
func driveBare(ctx context.Context, broker string, pid int, o BaselineOptions) (CPUUse, error) {
	type bareClient struct {
		c       pmqtt.Client
		id      string
		waiters *waiters
	}
	var answered atomic.Int64
	clients := make([]*bareClient, o.Clients)
	for i := range clients {
		bc := &bareClient{id: fmt.Sprintf("c%d", i), waiters: newWaiters()}
		opts := pmqtt.NewClientOptions().AddBroker(broker).SetClientID("bare-" + bc.id).SetCleanSession(true).
			SetProtocolVersion(4).SetConnectTimeout(10 * time.Second).SetAutoReconnect(false)
		bc.c = pmqtt.NewClient(opts)
		if err := waitToken(ctx, bc.c.Connect()); err != nil {
			return CPUUse{}, fmt.Errorf("cpu baseline: connect: %w", err)
		}
		defer bc.c.Disconnect(0)
		if err := waitToken(ctx, bc.c.Subscribe("bare/"+bc.id+"/res", 1, func(_ pmqtt.Client, m pmqtt.Message) {
			if bc.waiters.deliver(response{ReqID: string(m.Payload()), At: time.Now()}) {
				answered.Add(1)
			}
		})); err != nil {
			return CPUUse{}, fmt.Errorf("cpu baseline: subscribe: %w", err)
		}
		clients[i] = bc
	}
	meter, err := startCPU(pid)
	if err != nil {
		return CPUUse{}, err
	}
	phase, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var wg sync.WaitGroup
	var n int
	var failed atomic.Int64
	rng := rand.New(rand.NewPCG(o.Seed, 77))
	pace(phase, NewPoisson(o.Rate, rng), time.Now(), func(time.Duration) {
		bc := clients[n%len(clients)]
		id := fmt.Sprintf(`{"req_id":"b-%d","op":"ticket.take","service":"general"}`, n)
		n++
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := bc.waiters.add(id)
			defer bc.waiters.remove(id)
			bc.c.Publish("bare/"+bc.id+"/req", 1, false, []byte(id))
			select {
			case <-ch:
			case <-time.After(o.Timeout):
				failed.Add(1)
			case <-ctx.Done():
			}
		}()
	})
	wg.Wait()
	use, err := meter.stop(answered.Load())
	if err == nil && failed.Load() > 0 {
		err = errors.New("cpu baseline: " + fmt.Sprint(failed.Load()) + " requests timed out")
	}
	return use, err
}
