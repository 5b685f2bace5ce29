package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hallq/hallq/config"
)

// DemoOptions configure the demo (hallq-sim --demo).
type DemoOptions struct {
	Config      *config.Config
	Broker      string
	Seed        uint64
	Speed       float64 // time compression of service, walk-up and think times (20 = 20x faster than real)
	ArrivalRate float64 // tickets per second; 0 = 70% of what the counters can serve at Speed
	Profile     profileFlag
	Every       time.Duration // summary interval
	Out         io.Writer
	// FWFailShare is the share of devices whose firmware installs fail
	// (CONTRACT §6); every demo device takes offered firmware.
	FWFailShare float64
	// LeaveFree are counters the demo does not call at, with the staff login
	// it would use there, so that a person trying hallq has a counter and a
	// login of their own (--leave-free, default the first counter).
	LeaveFree []string
}

// demoCounts are the demo's running totals.
type demoCounts struct {
	tickets, green, calls, started, done, noShows, recalls atomic.Int64
	transfers, holds, resumes, ratings, good, unrated      atomic.Int64
	errors, ledUpdates, announces                          atomic.Int64
	take                                                   Sample
	led                                                    Sample
}

// demo is the demo hall in progress.
type demo struct {
	o        DemoOptions
	h        *hall
	b        Behaviour
	p        *printer
	n        demoCounts
	ledT     *ledTracker
	services chooser
	waitMu   sync.Mutex
	waiting  map[string]int // by service, from state/services (CONTRACT §2)
}

// RunDemo brings the hall to life until ctx is done, then closes the
// counters and disconnects every device cleanly.
func RunDemo(ctx context.Context, o DemoOptions) error {
	if o.Speed <= 0 {
		o.Speed = 20
	}
	if o.Every <= 0 {
		o.Every = 10 * time.Second
	}
	if o.Profile == "" {
		o.Profile = profileFlat
	}
	d := &demo{o: o, h: newHall(o.Config), b: DefaultBehaviour(), p: &printer{w: o.Out}, waiting: map[string]int{}}
	d.ledT = newLEDTracker(&d.n.led)
	ids, weights := d.h.serviceWeights()
	if len(ids) == 0 {
		return fmt.Errorf("config %s: no service is served by a counter", o.Config.File)
	}
	d.services = newChooser(ids, weights)
	if d.o.ArrivalRate <= 0 {
		d.o.ArrivalRate = 0.7 * d.h.capacity(d.b.WalkUp.Mean()) * o.Speed
	}
	for _, w := range d.h.warnings() {
		d.p.line("提示", "note", "%s", w)
	}

	rid := runID(time.Now())
	raterCmds := map[string]chan command{}
	for _, dev := range o.Config.Devices {
		if dev.Kind == "rater" {
			raterCmds[dev.ID] = make(chan command, 8)
		}
	}
	devs, err := dialAll(ctx, o.Config.Devices, func(dev config.Device) deviceOptions {
		return d.deviceOptions(dev, rid, raterCmds[dev.ID])
	}, d.h.t)
	if err != nil {
		return fmt.Errorf("%w (is hallqd running with this hall's config? go run ./cmd/hallqd)", err)
	}
	d.p.line("上线", "online", "%d 台设备已连接 %s (%s)", len(devs), o.Broker, d.kinds())
	d.p.line("开始", "start", "取号 %.2f 张/秒 (约每 %.1f 秒一张, %s), 时间加速 %gx; Ctrl-C 结束",
		d.o.ArrivalRate, 1/d.o.ArrivalRate, o.Profile, o.Speed)

	var wg sync.WaitGroup
	goRun := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	var callers []*demoCaller
	nCaller := 0 // staff go by caller position, so a free counter's login stays free too
	for _, dev := range o.Config.Devices {
		switch dev.Kind {
		case "caller":
			nCaller++
			if slices.Contains(o.LeaveFree, dev.Counter) {
				d.p.line("留空", "free", "%s 留给您: 用窗口控制台登录 %s (%s)", d.h.counterName(dev.Counter),
					d.h.staffFor(nCaller-1, dev.Counter), "not called by the simulator")
				continue
			}
			c := &demoCaller{d: d, dev: devs[dev.ID], counter: dev.Counter, staff: d.h.staffFor(nCaller-1, dev.Counter),
				rng: newRand(o.Seed, hash(dev.ID))}
			callers = append(callers, c)
			goRun(func() { c.run(ctx) })
		case "rater":
			r := newRater(devs[dev.ID], raterCmds[dev.ID], newRand(o.Seed, hash(dev.ID)), d.b, o.Speed)
			r.demo = true // every level, and 差评 with reasons (the cases page)
			r.rated, r.skipped = d.rated, func(c command) {
				d.n.unrated.Add(1)
				d.p.line("未评", "unrated", "%s @ %s", c.Ticket, d.h.counterName(c.Counter))
			}
			goRun(func() { r.run(ctx) })
		}
	}
	var kiosks []*Device
	for _, dev := range o.Config.Devices {
		if dev.Kind == "kiosk" {
			kiosks = append(kiosks, devs[dev.ID])
		}
	}
	if len(kiosks) > 0 {
		goRun(func() { d.arrivals(ctx, kiosks) })
	} else {
		d.p.line("提示", "note", "the config has no kiosk: no tickets")
	}
	goRun(func() { d.summaries(ctx) })
	wg.Wait()

	// Ctrl-C: end of shift. Close the counters, then say every device is
	// offline and disconnect.
	end, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range callers {
		c.closeCounter(end)
	}
	d.summary()
	if err := closeAll(devs); err != nil {
		return err
	}
	d.p.line("下线", "offline", "%d 台设备已断开 disconnected", len(devs))
	return nil
}

// deviceOptions are a demo device's handlers.
func (d *demo) deviceOptions(dev config.Device, rid string, raterCmds chan command) deviceOptions {
	do := deviceOptions{Broker: d.o.Broker, RunID: rid, AutoReconnect: true, OnLost: func(id string, err error) {
		d.p.line("断线", "lost", "%s: %v (reconnecting)", id, err)
	}, Firmware: &FirmwareOptions{FailShare: d.o.FWFailShare}}
	switch dev.Kind {
	case "counter_display":
		do.Subs = map[string]mqtt.MessageHandler{d.h.t.counterState(dev.Counter): func(_ mqtt.Client, m mqtt.Message) {
			at := time.Now()
			d.n.ledUpdates.Add(1)
			var s counterStateMsg
			if json.Unmarshal(m.Payload(), &s) == nil && s.Ticket != nil {
				d.ledT.show(dev.Counter, *s.Ticket, at)
			}
		}}
	case "hall_screen":
		do.Subs = map[string]mqtt.MessageHandler{
			d.h.t.allState(): func(_ mqtt.Client, m mqtt.Message) {
				svc, ok := strings.CutPrefix(m.Topic(), d.h.t.serviceStatePrefix())
				var s struct {
					Waiting int `json:"waiting"`
				}
				if ok && json.Unmarshal(m.Payload(), &s) == nil {
					d.waitMu.Lock()
					d.waiting[svc] = s.Waiting
					d.waitMu.Unlock()
				}
			},
			d.h.t.announce(): func(mqtt.Client, mqtt.Message) { d.n.announces.Add(1) },
		}
	case "rater":
		do.OnCmd = onCmdInto(raterCmds)
	}
	return do
}

// kinds describes the connected devices by kind.
func (d *demo) kinds() string {
	n := map[string]int{}
	for _, dev := range d.o.Config.Devices {
		n[dev.Kind]++
	}
	return fmt.Sprintf("取号机 kiosk %d, 呼叫器 caller %d, 窗口屏 LED %d, 评价器 rater %d, 大屏 screen %d",
		n["kiosk"], n["caller"], n["counter_display"], n["rater"], n["hall_screen"])
}

// arrivals issues tickets at the kiosks as citizens arrive.
func (d *demo) arrivals(ctx context.Context, kiosks []*Device) {
	rng := newRand(d.o.Seed, 1)
	var a Arrivals = NewPoisson(d.o.ArrivalRate, rng)
	if d.o.Profile == profileBusyDay {
		mean := float64(BusyDayTotal) / (9 * 3600)
		a = NewPiecewise(BusyDay(d.o.ArrivalRate/mean/d.o.Speed, d.o.Speed), true, rng)
	}
	pick := newRand(d.o.Seed, 2)
	var reqs sync.WaitGroup
	defer reqs.Wait()
	pace(ctx, a, time.Now(), func(time.Duration) {
		k := kiosks[pick.IntN(len(kiosks))]
		args := map[string]any{"service": d.services.pick(pick)}
		if chance(pick, d.b.Green) {
			args["channel"] = "green"
		}
		reqs.Add(1)
		go func() { defer reqs.Done(); d.take(ctx, k, args) }()
	})
}

// take sends one ticket.take and prints the ticket.
func (d *demo) take(ctx context.Context, k *Device, args map[string]any) {
	r, start, err := k.Request(ctx, "ticket.take", args)
	if ctx.Err() != nil {
		return
	}
	var t ticketMsg
	if !d.ok(k.ID(), "ticket.take", r, err, &t) {
		return
	}
	d.n.take.Add(r.At.Sub(start))
	d.n.tickets.Add(1)
	channel := ""
	if args["channel"] == "green" {
		d.n.green.Add(1)
		channel = " 绿色通道 green"
	}
	ahead := ""
	if t.WaitingAhead != nil {
		ahead = fmt.Sprintf(" · 前面 %d 人", *t.WaitingAhead)
		if t.EstWaitS != nil {
			ahead += fmt.Sprintf(" 约 %s", fmtWait(*t.EstWaitS))
		}
	}
	d.p.line("取号", "take", "%s %s%s%s · %s", t.Number, d.h.serviceName(t.Service), channel, ahead, k.ID())
}

// ok reports whether a request succeeded, printing it when not, and
// decodes its result into v.
func (d *demo) ok(who, op string, r response, err error, v any) bool {
	if err != nil {
		d.n.errors.Add(1)
		d.p.line("错误", "error", "%s %s: %v", who, op, err)
		return false
	}
	if !r.OK {
		d.n.errors.Add(1)
		msg := "(no error object)"
		if r.Error != nil {
			msg = r.Error.Code + " " + r.Error.Message
		}
		d.p.line("错误", "error", "%s %s: %s", who, op, msg)
		return false
	}
	if v != nil {
		if err := json.Unmarshal(r.Result, v); err != nil {
			d.n.errors.Add(1)
			d.p.line("错误", "error", "%s %s: result: %v", who, op, err)
			return false
		}
	}
	return true
}

// rated is a rater's outcome.
func (d *demo) rated(c command, level int, r response, _ time.Time, err error) {
	if !d.ok("rater@"+c.Counter, "rating.submit", r, err, nil) {
		return
	}
	d.n.ratings.Add(1)
	if level >= 3 { // 好评 is 非常满意, 满意 and 基本满意 (5, 4, 3); 差评 is 2 and 1
		d.n.good.Add(1)
	}
	var res struct {
		CaseID string `json:"case_id"`
	}
	json.Unmarshal(r.Result, &res)
	if res.CaseID != "" { // a 差评 opened a case: see /cases
		d.p.line("评价", "rate", "%s @ %s: %s %d → 差评工单 case %s", c.Ticket, d.h.counterName(c.Counter), levelName(level), level, res.CaseID)
		return
	}
	d.p.line("评价", "rate", "%s @ %s: %s %d", c.Ticket, d.h.counterName(c.Counter), levelName(level), level)
}

// summaries prints a summary every o.Every until ctx is done.
func (d *demo) summaries(ctx context.Context) {
	tick := time.NewTicker(d.o.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			d.summary()
		}
	}
}

// summary prints the running totals on one line.
func (d *demo) summary() {
	n := &d.n
	d.waitMu.Lock()
	waiting := 0
	for _, w := range d.waiting {
		waiting += w
	}
	d.waitMu.Unlock()
	good := "-"
	if r := n.ratings.Load(); r > 0 {
		good = fmt.Sprintf("%.0f%%", 100*float64(n.good.Load())/float64(r))
	}
	take, led := n.take.Summary(), n.led.Summary()
	d.p.line("汇总", "summary", "取号 %d (绿色 %d) · 叫号 %d · 办结 %d · 过号 %d · 转办 %d · 挂起 %d · 评价 %d (好评 %s, 未评 %d) · 等候 %d · 取号 p50 %s p99 %s · 叫号→屏 p50 %s · 播报 %d · 错误 %d",
		n.tickets.Load(), n.green.Load(), n.calls.Load(), n.done.Load(), n.noShows.Load(), n.transfers.Load(), n.holds.Load(),
		n.ratings.Load(), good, n.unrated.Load(), waiting, fmtDur(take.P50), fmtDur(take.P99), fmtDur(led.P50),
		n.announces.Load(), n.errors.Load())
}

// fmtWait prints an estimated wait in minutes.
func fmtWait(s int) string {
	if s < 60 {
		return "1 分钟内"
	}
	return fmt.Sprintf("%d 分钟", (s+30)/60)
}

// printer writes one event per line, Chinese first, from any goroutine.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) line(zh, en, format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s %-8s %s\n", time.Now().Format("15:04:05"), zh, en, fmt.Sprintf(format, args...))
}

// sleep waits d of simulated activity (a citizen walking up, a service
// going on); it reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
