package devices

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/hallq/hallq/devices/mochi"
	"github.com/hallq/hallq/devices/transport"
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
	goMu   sync.Mutex // orders wg.Add after closed is set against Close's wg.Wait

	tr   transport.Transport
	emb  *transport.Embedded // nil with an external broker
	ext  *transport.External // nil with the embedded broker
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
	s.cmds = newCommands(s.spec, cfg.Clock, s.sendCmd, log)
	s.pub = newPublisher(s.topics, s.publish, s.cmds, s.publishDesired, log)
	s.pub.window = cfg.ServiceStateWindow
	if cfg.BrokerURL == "" {
		s.resetPresence(ctx, rec.presence) // nobody is connected to a broker that has just started
	}
	s.pres = newPresence(s.ctx, s.spec, rec.presence, s.reportPresence, s.m.online)
	s.req = &requests{hall: cfg.Hall, spec: s.spec, respond: printed(s.spec, cfg.Print, s.respond), log: log, metrics: s.m,
		clock: time.Now, rate: cfg.RatePerSec, burst: cfg.Burst, timeout: cfg.DoTimeout, ctx: s.ctx, devs: map[string]*deviceQueue{},
		block: cfg.BrokerURL == "", green: cfg.GreenCap}

	var sessions *mochi.SessionHook // the embedded broker's
	if cfg.BrokerURL == "" {
		auth := &authHook{auth: cfg.Auth, acls: map[string]*acl{}, log: log, refused: s.m.refused}
		for _, id := range s.spec.DeviceOrder {
			auth.acls[id] = newDeviceACL(s.topics, id, s.spec.Devices[id].Kind)
		}
		valid := func(cl *mqtt.Client, pk packets.Packet) bool { return auth.check(cl, pk, false) == "" }
		sessions = mochi.NewSessionHook(valid, mochi.SessionEvents{Connected: s.connected, Disconnected: s.disconnected, Subscribed: s.subscribed})
		if s.emb, err = transport.NewEmbedded(log, maxPacket, auth, sessions); err != nil {
			return err
		}
		sessions.Bind(s.emb.Server())
		s.tr = s.emb
	} else {
		s.ext = transport.NewExternal(cfg.BrokerURL, cfg.Username, cfg.Password, log, s.brokerConnected)
		s.tr = s.ext
	}
	for leaf, fn := range map[string]transport.Handler{leafReq: s.onReq, leafStatus: s.onStatus, leafAck: s.onAck} {
		if err := s.tr.Subscribe(s.topics.DevFilter(leaf), fn); err != nil {
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
		if err := s.emb.Serve(cfg.Listen); err != nil {
			return err
		}
		s.emb.Go(sessions.RepairLoop)
		log.Info().Str("addr", s.emb.Addr()).Msg("embedded mqtt broker listening 内置 MQTT 服务已启动")
	} else {
		s.ext.Start(transport.ExtFirstConnect)
	}
	return nil
}

// Republish publishes every retained message again: state, and each
// device's desired config (e.g. after the desired config changed).
func (s *Server) Republish() { s.pub.republish(s.cfg.Hall.View()) }

// Addr is the embedded broker's bound address ("" with an external broker).
func (s *Server) Addr() string {
	if s.emb == nil {
		return ""
	}
	return s.emb.Addr()
}

// Ready reports whether devices can reach hallqd through the broker
// (CONTRACT §4 readyz).
func (s *Server) Ready() error {
	if s.tr == nil {
		return fmt.Errorf("mqtt broker not started")
	}
	return s.tr.Ready()
}

// closeGrace bounds how long Close waits for queued requests before it
// answers the rest unavailable, within hallqd's 10 s for SIGTERM.
const closeGrace = 5 * time.Second

// Close stops taking requests, answers the ones already taken, publishes
// what is queued and stops the broker (CONTRACT §4 SIGTERM).
func (s *Server) Close() error {
	s.goMu.Lock()
	already := s.closed.Swap(true)
	s.goMu.Unlock()
	if already {
		return nil
	}
	if s.req != nil {
		drained := make(chan struct{})
		go func() {
			s.req.close()
			close(drained)
		}()
		select {
		case <-drained:
		case <-time.After(closeGrace): // the hall is stuck: answer the rest unavailable
			s.cancel()
			<-drained
		}
	}
	close(s.done)
	s.wg.Wait()
	s.cancel() // presence reports still running give up
	if s.cmds != nil {
		s.cmds.close()
	}
	if s.pres != nil {
		s.pres.close()
	}
	var err error
	if s.tr != nil {
		err = s.tr.Close()
	}
	return err
}
