// Command hallq-sim simulates a service hall's devices against hallqd, as a
// pure MQTT client of the device contract (CONTRACT §2): kiosks, counter
// callers, LED counter displays, rating keypads and hall screens, each with
// its own credentials from the hall's config.
//
//	hallq-sim --demo                  # bring the demo hall to life
//	hallq-sim --load --duration 30s   # load run with latency percentiles
//
// See docs/simulator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hallq/hallq/config"
)

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hallq-sim:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode maps an error to the exit status: 2 for a bad command line or
// config, 1 for anything else.
func exitCode(err error) int {
	var ue *usageError
	var ce *config.Error
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

// run parses args and runs the chosen mode until it ends or ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hallq-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfgPath = fs.String("config", "", "hall config file (YAML), the same as hallqd's; none = the embedded demo hall")
		broker  = fs.String("broker", "", "MQTT broker URL; default: the config's broker.url, else tcp://{listen.mqtt}")
		demo    = fs.Bool("demo", false, "bring the hall to life until Ctrl-C")
		load    = fs.Bool("load", false, "load run: latency percentiles against a baseline measured in the same run")
		seed    = fs.Uint64("seed", 1, "random seed: the same seed draws the same arrivals, services and choices")
		timeout = fs.Duration("timeout", 10*time.Second, "how long a request waits for its response")
		profile = profileFlat

		speed       = fs.Float64("speed", 20, "demo: time compression of service, walk-up and rating times (1 = real time)")
		arrivalRate = fs.Float64("arrival-rate", 0, "demo: tickets per second; 0 = 70% of what the counters can serve")
		every       = fs.Duration("summary", 10*time.Second, "demo: interval between summary lines")
		fwFail      = fs.Float64("fw-fail-share", 0, "demo: share of devices (0-1, chosen by id) whose firmware installs fail")
		leaveFree   = fs.String("leave-free", "1", "demo: counters (comma list) the simulator leaves to you, with their staff login (demo: counter 1, s01); \"\" = none")

		devices  = fs.Int("devices", 0, "load: simulated devices (0 = every device in the config; more reuse connections)")
		takeRate = fs.Float64("take-rate", 100, "load: ticket.take per second over all kiosks (the peak with --profile busy-day)")
		callRate = fs.Float64("call-rate", 20, "load: call.next per second over all callers")
		duration = fs.Duration("duration", 30*time.Second, "load: length of the measured run")
		findMax  = fs.Bool("find-max", false, "load: then ramp ticket.take up to find the highest sustained rate")
		step     = fs.Duration("step", 5*time.Second, "load: length of one --find-max step")
		slo      = fs.Duration("slo", time.Second, "load: ticket.take p99 a sustained rate must stay within")
		inflight = fs.Int("max-inflight", 20000, "load: requests in flight at most (arrivals beyond count as not sent)")
		baseRate = fs.Float64("baseline-rate", 10, "load: baseline probes per second during the run")
		baseUser = fs.String("baseline-user", "", "load: user on an external broker allowed to use hallq-sim/#, for the raw pub/sub baseline")
		basePass = fs.String("baseline-pass", "", "load: that user's password")
		baseAnon = fs.Bool("baseline-anonymous", false, "load: measure the raw pub/sub baseline without credentials (external broker)")
		pid      = fs.Int("hallqd-pid", 0, "load: hallqd's process id on this machine; report its CPU time per request (from /proc)")
		cpuBase  = fs.Bool("cpu-baseline", false, "load: with --hallqd-pid, then measure a bare mochi + journal server's CPU per request at the same rate")
		bare     = fs.Bool("bare-server", false, "internal: run the bare server of --cpu-baseline until stdin closes")
		bareDir  = fs.String("bare-dir", "", "internal: the bare server's journal directory")
	)
	fs.Var(&profile, "profile", "arrival profile: flat (Poisson) or busy-day (DOMAIN's day with its 3,000/hour morning peak)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *bare {
		if *bareDir == "" {
			return &usageError{"--bare-server needs --bare-dir"}
		}
		return bareServer(ctx, "127.0.0.1:0", *bareDir, os.Stdin, stdout)
	}
	if *demo == *load {
		return &usageError{"choose one mode: --demo or --load"}
	}
	switch {
	case *speed <= 0:
		return &usageError{"--speed must be positive"}
	case *arrivalRate < 0, *takeRate < 0, *callRate < 0, *baseRate < 0:
		return &usageError{"rates must not be negative"}
	case *devices < 0:
		return &usageError{"--devices must not be negative"}
	case *load && *duration <= 0:
		return &usageError{"--duration must be positive"}
	case *timeout <= 0 || *step <= 0 || *slo <= 0 || *every <= 0:
		return &usageError{"durations must be positive"}
	case *fwFail < 0 || *fwFail > 1:
		return &usageError{"--fw-fail-share must be 0-1"}
	case *inflight <= 0:
		return &usageError{"--max-inflight must be positive"}
	case *pid < 0 || (*cpuBase && *pid == 0):
		return &usageError{"--cpu-baseline needs --hallqd-pid (a positive process id)"}
	}

	cfg := config.Demo()
	if *cfgPath != "" {
		c, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	url := *broker
	if url == "" {
		url = cfg.Broker.URL
	}
	if url == "" {
		url = "tcp://" + cfg.Listen.MQTT
	}

	if *demo {
		return RunDemo(ctx, DemoOptions{Config: cfg, Broker: url, Seed: *seed, Speed: *speed,
			ArrivalRate: *arrivalRate, Profile: profile, Every: *every, Out: stdout, FWFailShare: *fwFail,
			LeaveFree: splitList(*leaveFree)})
	}
	rep, err := RunLoad(ctx, LoadOptions{Config: cfg, Broker: url, Devices: *devices, TakeRate: *takeRate,
		CallRate: *callRate, Duration: *duration, Profile: profile, Seed: *seed, FindMax: *findMax, Step: *step,
		SLO: *slo, MaxInFlight: *inflight, Timeout: *timeout, BaselineRate: *baseRate,
		BaselineUser: *baseUser, BaselinePass: *basePass, BaselineAnonymous: *baseAnon,
		HallqdPID: *pid, CPUBaseline: *cpuBase, Out: stdout})
	if err != nil {
		return fmt.Errorf("load run against %s: %w", url, err)
	}
	rep.Print(stdout)
	if ctx.Err() != nil {
		return errors.New("load run interrupted: the numbers above are partial")
	}
	return nil
}

// splitList splits a comma list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
