package devices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

// Server is the MQTT side of one running hall.
type Server struct {
	cfg    Config
	spec   *queue.Spec
	topics Topics
	m      *metrics

	ctx    context.Context // for hall requests; cancelled by Close after the drain
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool

	tr   transport
	emb  *embedded // nil with an external broker
	ext  *external // nil with the embedded broker
	memo *memo
	refu *refusals
	req  *requests
	pres *presence
	cmds *commands
	pub  *publisher
}

// Start starts the MQTT side: the embedded broker on cfg.Listen, or a
// connection to the external broker at cfg.BrokerURL. It returns once
// devices can connect (embedded) or the first connection attempt is over
// (external; hallqd keeps retrying and Ready says so).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, spec: cfg.Hall.Spec(), topics: NewTopics(cfg.Hall.Spec().HallID), done: make(chan struct{})}
	var err error
	if s.m, err = newMetrics(cfg.Registry); err != nil {
		return nil, fmt.Errorf("register device metrics: %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.start(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	cfg, log := s.cfg, s.cfg.Log
	rec, err := s.recorded(ctx)
	if err != nil {
		return err
	}
	s.memo = newMemo(replyRetention, 200_000)
	if cfg.Dir != "" {
		if s.refu, err = openRefusals(cfg.Dir); err != nil {
			return err
		}
	}
	if err := s.warmMemo(); err != nil {
		return err
	}
	s.cmds = newCommands(s.spec, cfg.Clock, s.sendCmd, log)
	s.pub = newPublisher(s.topics, s.publish, s.cmds, s.publishConfigs, log)
	if cfg.BrokerURL == "" {
		s.resetPresence(ctx, rec.presence) // nobody is connected to a broker that has just started
	}
	s.pres = newPresence(s.ctx, s.spec, rec.presence, s.reportPresence, s.m.online)
	s.req = &requests{hall: cfg.Hall, spec: s.spec, memo: s.memo, refusals: s.refu, respond: s.respond, log: log, metrics: s.m,
		clock: time.Now, rate: cfg.RatePerSec, burst: cfg.Burst, timeout: cfg.DoTimeout, ctx: s.ctx, devs: map[string]*deviceQueue{}}

	if cfg.BrokerURL == "" {
		auth := &authHook{auth: cfg.Auth, acls: map[string]*acl{}, log: log, refused: s.m.refused}
		for _, id := range s.spec.DeviceOrder {
			auth.acls[id] = newACL(s.topics, id)
		}
		valid := func(cl *mqtt.Client, pk packets.Packet) bool { return auth.check(cl, pk) == "" }
		if s.emb, err = newEmbedded(log, auth, newSessionHook(s, s.topics, valid)); err != nil {
			return err
		}
		s.tr = s.emb
	} else {
		s.ext = newExternal(cfg.BrokerURL, cfg.Username, cfg.Password, log, s.brokerConnected)
		s.tr = s.ext
	}
	for leaf, fn := range map[string]handler{leafReq: s.onReq, leafStatus: s.onStatus, leafAck: s.onAck} {
		if err := s.tr.subscribe(s.topics.DevFilter(leaf), fn); err != nil {
			return err
		}
	}
	cfg.Hall.Subscribe(s.onBatch)
	s.pub.republish(cfg.Hall.View())
	s.pub.flush() // retained state and configs are there before the first device
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.pub.run(s.done)
	}()
	for _, f := range rec.prompts { // prompts still inside their window survive a restart
		s.cmds.finished(f.TicketID, f.Ticket, f.Counter, f.StaffID, f.At)
	}
	if s.emb != nil {
		if err := s.emb.serve(cfg.Listen); err != nil {
			return err
		}
		log.Info().Str("addr", s.emb.addr()).Msg("embedded mqtt broker listening 内置 MQTT 服务已启动")
	} else {
		s.ext.start(extFirstConnect)
	}
	return nil
}

// recordedState is what the hall knew at start.
type recordedState struct {
	presence map[string]presenceState
	prompts  []queue.Event // ticket.finished of unrated tickets still inside the rating window
}

func (s *Server) recorded(ctx context.Context) (recordedState, error) {
	rec := recordedState{presence: map[string]presenceState{}}
	now := s.cfg.Clock()
	err := s.cfg.Hall.Query(ctx, func(st *queue.State) {
		for id, p := range st.Devices {
			rec.presence[id] = presenceState{Online: p.Online, FW: p.FW, ConfigVersion: p.ConfigVersion}
		}
		for _, id := range st.Spec.CounterOrder {
			c := st.Counters[id]
			t := st.Tickets[c.LastFinished]
			if t == nil || t.Status != queue.Done || t.Rated || now.Sub(t.FinishedAt) >= st.Spec.RatingWindow {
				continue
			}
			rec.prompts = append(rec.prompts, queue.Event{TicketID: t.ID, Ticket: t.Number, Counter: id, StaffID: t.StaffID, At: t.FinishedAt})
		}
	})
	if err != nil {
		return rec, fmt.Errorf("read the hall's device state: %w", err)
	}
	return rec, nil
}

// resetPresence records every device the hall has online as offline, all
// in one group commit, and updates rec to match.
func (s *Server) resetPresence(ctx context.Context, rec map[string]presenceState) {
	var online []string
	for id, p := range rec {
		if p.Online {
			online = append(online, id)
		}
	}
	done := make([]bool, len(online))
	var wg sync.WaitGroup
	for i, id := range online {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := rec[id]
			p.Online = false
			done[i] = s.reportPresence(ctx, id, p) == nil
		}()
	}
	wg.Wait()
	for i, id := range online {
		if done[i] {
			p := rec[id]
			p.Online = false
			rec[id] = p
		}
	}
}

// warmMemo loads the recorded refusals and the replies the hall stored for
// devices, so that a repeated req_id answers like the first time whichever
// way it is refused or carried out now.
func (s *Server) warmMemo() error {
	now := time.Now()
	if s.refu != nil {
		if err := s.refu.load(now.Add(-replyRetention), func(device, reqID string, at time.Time, body []byte) {
			s.memo.put(memoKey{device, reqID}, body, at, now)
		}); err != nil {
			return err
		}
	}
	if s.cfg.Replies == nil {
		return nil
	}
	err := s.cfg.Replies(now.Add(-replyRetention), func(source, reqID string, at time.Time, response []byte) {
		device, ok := cutSource(source)
		if !ok {
			return
		}
		var rep hall.Reply
		if json.Unmarshal(response, &rep) != nil {
			return
		}
		s.memo.put(memoKey{device, reqID}, encodeResponse(reqID, rep), at, now)
	})
	if err != nil {
		return fmt.Errorf("read stored device replies: %w", err)
	}
	return nil
}

func cutSource(source string) (string, bool) {
	const p = "dev:"
	if len(source) <= len(p) || source[:len(p)] != p {
		return "", false
	}
	return source[len(p):], true
}

// onBatch is the hall subscriber; it runs on the writer goroutine and only queues.
func (s *Server) onBatch(b hall.Batch) {
	if !s.closed.Load() {
		s.pub.batch(b)
	}
}

// device returns the configured device a dev/{id}/{leaf} topic names; with
// the embedded broker the publisher must be that device.
func (s *Server) device(topic, origin, leaf string) (string, bool) {
	id, l, ok := s.topics.ParseDev(topic)
	if !ok || l != leaf || s.spec.Devices[id] == nil || (origin != "" && origin != id) {
		return "", false
	}
	return id, true
}

func (s *Server) onReq(topic, origin string, payload []byte) {
	if id, ok := s.device(topic, origin, leafReq); ok {
		s.req.add(id, payload)
	}
}

func (s *Server) onStatus(topic, origin string, payload []byte) {
	id, ok := s.device(topic, origin, leafStatus)
	if !ok || s.closed.Load() {
		return
	}
	s.pres.status(id, payload)
	if s.ext != nil && statusOnline(payload) {
		s.cmds.resend(id) // an external broker tells hallqd of a device's return only through its status
	}
}

// statusOnline reports whether a status message says the device is online.
func statusOnline(payload []byte) bool {
	var st struct {
		Online *bool `json:"online"`
	}
	return len(payload) <= maxStatus && json.Unmarshal(payload, &st) == nil && (st.Online == nil || *st.Online)
}

func (s *Server) onAck(topic, origin string, payload []byte) {
	if id, ok := s.device(topic, origin, leafAck); ok {
		s.cmds.ack(id, payload)
	}
}

// connected, disconnected and subscribedCmd are the embedded broker's
// session events.
func (s *Server) connected(device string) {
	if s.spec.Devices[device] != nil && !s.closed.Load() {
		s.pres.setOnline(device, true)
	}
}

func (s *Server) disconnected(device string) {
	if s.spec.Devices[device] != nil && !s.closed.Load() {
		s.pres.setOnline(device, false)
	}
}

func (s *Server) subscribedCmd(device string) {
	if s.closed.Load() {
		return
	}
	s.wg.Add(1)
	go func() { // after the SUBACK has gone out
		defer s.wg.Done()
		s.cmds.resend(device)
	}()
}

// brokerConnected republishes everything retained after (re)connecting to
// an external broker, whose retained messages may be gone.
func (s *Server) brokerConnected() {
	if s.pub != nil && !s.closed.Load() {
		s.pub.republish(s.cfg.Hall.View())
	}
}

func (s *Server) reportPresence(ctx context.Context, id string, p presenceState) error {
	rep := s.cfg.Hall.Do(ctx, hall.Request{Source: Source(id), Cmd: queue.ReportPresence{Device: id, Online: p.Online, FW: p.FW, ConfigVersion: p.ConfigVersion}})
	if !rep.OK && rep.Error != nil {
		if rep.Error.Code == queue.Unavailable {
			return rep.Error
		}
		s.cfg.Log.Warn().Str("device", id).Str("error", rep.Error.Message).Msg("presence not recorded")
	}
	return nil
}

func (s *Server) publish(topic string, payload []byte, retain bool) error {
	return s.tr.publish(topic, payload, retain)
}

func (s *Server) respond(device string, body []byte) error {
	return s.tr.publish(s.topics.Dev(device, leafRes), body, false)
}

func (s *Server) sendCmd(device string, body []byte) error {
	return s.tr.publish(s.topics.Dev(device, leafCmd), body, false)
}

// publishConfigs publishes every device's desired config, retained on
// dev/{id}/config (CONTRACT §2).
func (s *Server) publishConfigs() {
	for _, id := range s.spec.DeviceOrder {
		body, err := json.Marshal(s.cfg.DesiredConfig(*s.spec.Devices[id], s.spec))
		if err != nil {
			s.cfg.Log.Error().Err(err).Str("device", id).Msg("encode desired config")
			continue
		}
		if err := s.publish(s.topics.Dev(id, leafConfig), body, true); err != nil {
			s.cfg.Log.Debug().Err(err).Str("device", id).Msg("desired config not published now")
		}
	}
}

// Republish publishes every retained message again: state, and each
// device's desired config (e.g. after the desired config changed).
func (s *Server) Republish() { s.pub.republish(s.cfg.Hall.View()) }

// Addr is the embedded broker's bound address ("" with an external broker).
func (s *Server) Addr() string {
	if s.emb == nil {
		return ""
	}
	return s.emb.addr()
}

// Ready reports whether devices can reach hallqd through the broker
// (CONTRACT §4 readyz).
func (s *Server) Ready() error {
	if s.tr == nil {
		return fmt.Errorf("mqtt broker not started")
	}
	return s.tr.ready()
}

// Close stops taking requests, answers the ones already taken, publishes
// what is queued and stops the broker (CONTRACT §4 SIGTERM).
func (s *Server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.req != nil {
		s.req.close()
	}
	close(s.done)
	s.wg.Wait()
	if s.cmds != nil {
		s.cmds.close()
	}
	if s.pres != nil {
		s.pres.close()
	}
	var err error
	if s.tr != nil {
		err = s.tr.close()
	}
	if s.refu != nil {
		err = errors.Join(err, s.refu.close())
	}
	s.cancel()
	return err
}
