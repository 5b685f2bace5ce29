package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hallq/hallq/config"
)

// hall is what the simulator knows of the hall from its config.
type hall struct {
	cfg      *config.Config
	t        topics
	services map[string]config.Service
	counters map[string]config.Counter
}

func newHall(cfg *config.Config) *hall {
	h := &hall{cfg: cfg, t: newTopics(cfg.Hall.ID), services: map[string]config.Service{}, counters: map[string]config.Counter{}}
	for _, s := range cfg.Services {
		h.services[s.ID] = s
	}
	for _, c := range cfg.Counters {
		h.counters[c.ID] = c
	}
	return h
}

// counterName is a counter's Chinese name ("12号窗口"), or its id.
func (h *hall) counterName(id string) string {
	if c, ok := h.counters[id]; ok && c.Name.Zh != "" {
		return c.Name.Zh
	}
	return id + "号窗口"
}

// serviceName is a service's Chinese name, or its id.
func (h *hall) serviceName(id string) string {
	if s, ok := h.services[id]; ok && s.Name.Zh != "" {
		return s.Name.Zh
	}
	return id
}

// serviceWeights weighs each service by the counter capacity that serves it
// (a counter serving k services gives each 1/k), so that arrivals spread the
// way a hall staffs its counters and no service's queue grows without bound
// at a sustainable total rate. Services no counter serves get no arrivals.
func (h *hall) serviceWeights() (ids []string, weights []float64) {
	w := map[string]float64{}
	for _, c := range h.cfg.Counters {
		for _, s := range c.Services {
			w[s] += 1 / float64(len(c.Services))
		}
	}
	for _, s := range h.cfg.Services {
		if w[s.ID] > 0 {
			ids = append(ids, s.ID)
			weights = append(weights, w[s.ID])
		}
	}
	return ids, weights
}

// capacity is how many visits per second the hall's counters finish when
// every counter is staffed, services take their average time and each visit
// adds overhead (the citizen walking up).
func (h *hall) capacity(overhead time.Duration) float64 {
	total := 0.0
	for _, c := range h.cfg.Counters {
		sum := 0.0
		for _, s := range c.Services {
			sum += float64(h.services[s].AvgServiceS)
		}
		if len(c.Services) > 0 {
			total += 1 / (sum/float64(len(c.Services)) + overhead.Seconds())
		}
	}
	return total
}

// staffFor is the staff id a counter opens with: the config's staff
// accounts (role staff) in turn; a hall with no roster takes a made-up one,
// and a counter past the roster, or one its staff member may not sign in at,
// opens with none (hallq refuses unknown staff ids).
func (h *hall) staffFor(i int, counter string) string {
	var staff []config.Staff
	for _, s := range h.cfg.Staff {
		if s.Role == "staff" {
			staff = append(staff, s)
		}
	}
	if len(h.cfg.Staff) == 0 {
		return "sim-" + counter
	}
	if i >= len(staff) {
		return ""
	}
	if cs := staff[i].Counters; len(cs) > 0 && !slices.Contains(cs, counter) {
		return ""
	}
	return staff[i].ID
}

// warnings lists what in the config will make simulated tickets fail.
func (h *hall) warnings() []string {
	var out []string
	if len(h.cfg.Hall.Hours) > 0 {
		out = append(out, "the config has opening hours (hall.hours): outside them ticket.take answers service_closed")
	}
	for _, s := range h.cfg.Services {
		if s.DailyQuota > 0 {
			out = append(out, fmt.Sprintf("service %s has daily_quota %d: past it ticket.take answers quota_exhausted", s.ID, s.DailyQuota))
			break
		}
	}
	return out
}

// orderDevices puts the config's devices in the order a partial load run
// takes them: kiosks, then each counter's caller, displays and raters
// together, then hall screens, so that any prefix is a working hall.
func orderDevices(cfg *config.Config) []config.Device {
	rank := map[string]int{}
	for i, c := range cfg.Counters {
		rank[c.ID] = i
	}
	kindRank := map[string]int{"caller": 0, "counter_display": 1, "rater": 2}
	out := append([]config.Device(nil), cfg.Devices...)
	group := func(d config.Device) int {
		switch d.Kind {
		case "kiosk":
			return 0
		case "caller", "counter_display", "rater":
			return 1
		case "hall_screen":
			return 2
		}
		return 3
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if group(a) == 1 {
			if ra, rb := rank[a.Counter], rank[b.Counter]; ra != rb {
				return ra < rb
			}
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		return false
	})
	return out
}

// pickDevices chooses n simulated devices (0 = all configured). A client id
// connects only once (CONTRACT §2: client id = device id), so past the
// config's devices the extra simulated devices reuse a configured device's
// connection: an extra kiosk or caller is one more request stream on it.
func pickDevices(cfg *config.Config, n int) (conns []config.Device, logical []config.Device) {
	all := orderDevices(cfg)
	if n <= 0 {
		n = len(all)
	}
	if n <= len(all) {
		return all[:n], all[:n]
	}
	for i := 0; i < n; i++ {
		logical = append(logical, all[i%len(all)])
	}
	return all, logical
}

// dialAll connects devices, at most 32 at a time, and returns them by id.
func dialAll(ctx context.Context, devs []config.Device, optsFor func(config.Device) deviceOptions, t topics) (map[string]*Device, error) {
	var (
		mu   sync.Mutex
		out  = map[string]*Device{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 32)
	)
	for _, d := range devs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			dev, err := Dial(dctx, d, t, optsFor(d))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			out[d.ID] = dev
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		closeAll(out)
		return nil, fmt.Errorf("connect %d devices (%d failed), first: %w", len(devs), len(errs), errs[0])
	}
	return out, nil
}

// closeAll says every device is offline and disconnects it, in parallel.
func closeAll(devs map[string]*Device) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Close(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("disconnect: %d devices failed, first: %w", len(errs), errs[0])
	}
	return nil
}

// runID tells this run's req_ids from earlier runs' (CONTRACT §2: req_id
// unique per device for at least 24 hours). It is not derived from --seed:
// the same seed twice must not replay the first run's answers.
func runID(now time.Time) string {
	return "sim" + fmt.Sprintf("%x", now.UnixNano())
}

// counterStateMsg is what an LED counter display shows (CONTRACT §2 state/counters).
type counterStateMsg struct {
	Counter string  `json:"counter"`
	Status  string  `json:"status"`
	Ticket  *string `json:"ticket"`
	Service *string `json:"service"`
	Seq     int64   `json:"seq"`
}

// ticketMsg is a ticket as a result describes it (CONTRACT §2 operations).
type ticketMsg struct {
	TicketID     string `json:"ticket_id"`
	Number       string `json:"number"`
	Service      string `json:"service"`
	WaitingAhead *int   `json:"waiting_ahead"`
	EstWaitS     *int   `json:"est_wait_s"`
	WaitedS      *int   `json:"waited_s"`
}
