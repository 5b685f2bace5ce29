package devices

import (
	"context"
	"encoding/json"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/queue"
)

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

// connected, disconnected and subscribed are the embedded broker's session
// events (mochi.SessionEvents).
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

// subscribed sends a device's pending commands again once it has
// (re)subscribed to its cmd topic.
func (s *Server) subscribed(device, filter string) {
	if filter != s.topics.Dev(device, leafCmd) {
		return
	}
	s.goMu.Lock()
	defer s.goMu.Unlock()
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
	rep := s.cfg.Hall.Do(ctx, hall.Request{Source: Source(id), Cmd: queue.ReportPresence{Device: id, Online: p.Online, FW: p.FW, ConfigVersion: p.ConfigVersion,
		FWState: p.FWState, FWError: p.FWError}})
	if !rep.OK && rep.Error != nil {
		if rep.Error.Code == queue.Unavailable {
			return rep.Error
		}
		s.cfg.Log.Warn().Str("device", id).Str("error", rep.Error.Message).Msg("presence not recorded")
	}
	return nil
}

func (s *Server) publish(topic string, payload []byte, retain bool) error {
	return s.tr.Publish(topic, payload, retain)
}

func (s *Server) respond(device string, body []byte) error {
	return s.tr.Publish(s.topics.Dev(device, leafRes), body, false)
}

func (s *Server) sendCmd(device string, body []byte) error {
	return s.tr.Publish(s.topics.Dev(device, leafCmd), body, false)
}

// publishDesired publishes the desired retained messages it is given
// (dev/{id}/config, CONTRACT §2; dev/{id}/firmware, CONTRACT §6).
func (s *Server) publishDesired(evs []queue.Event, v *queue.View, all bool) {
	if s.cfg.Desired == nil {
		return
	}
	s.cfg.Desired(evs, v, all, func(device, leaf string, payload []byte) {
		if s.spec.Devices[device] == nil || (leaf != leafConfig && leaf != leafFirmware) {
			s.cfg.Log.Error().Str("device", device).Str("leaf", leaf).Msg("desired message for an unknown device or topic not published")
			return
		}
		if err := s.publish(s.topics.Dev(device, leaf), payload, true); err != nil {
			s.cfg.Log.Debug().Err(err).Str("device", device).Str("leaf", leaf).Msg("desired message not published now")
		}
	})
}
