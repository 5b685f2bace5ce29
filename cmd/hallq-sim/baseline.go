package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// The baselines a load run measures on the same broker, in the same run,
// concurrently with the load (see docs/simulator.md, "Baselines"):
//
//   - pingOp: a kiosk sends a request with an op hallq does not know. CONTRACT
//     §2 says it must answer bad_request without changing anything, so this
//     is the round trip through the broker and hallq's request decoding,
//     without the queue decision or the journal's fsync. It needs nothing but
//     the devices' own credentials, so it is always measured.
//   - a raw QoS 1 publish -> subscribe round trip on a topic outside hallq's
//     tree. The embedded broker's ACL lets devices publish only to their own
//     status/req/ack topics, which no device may subscribe to, so no device
//     can measure this; it needs an external broker and a user allowed to
//     use hallq-sim/# (--baseline-user, or --baseline-anonymous).

// pingOp is the op of the bad_request baseline: unknown to hallq on purpose.
const pingOp = "hallq-sim.ping"

// rawProbe is an MQTT client that times its own QoS 1 messages coming back.
type rawProbe struct {
	client  mqtt.Client
	topic   string
	waiters *waiters
	seq     atomic.Uint64
	timeout time.Duration
}

// dialRawProbe connects the raw baseline client and subscribes to its topic.
func dialRawProbe(ctx context.Context, broker, user, pass, rid string, timeout time.Duration) (*rawProbe, error) {
	p := &rawProbe{topic: "hallq-sim/baseline/" + rid, waiters: newWaiters(), timeout: timeout}
	opts := mqtt.NewClientOptions().AddBroker(broker).SetClientID("hallq-sim-baseline-" + rid).
		SetUsername(user).SetPassword(pass).SetProtocolVersion(4).SetCleanSession(true).
		SetConnectTimeout(10 * time.Second).SetAutoReconnect(false)
	p.client = mqtt.NewClient(opts)
	if err := waitToken(ctx, p.client.Connect()); err != nil {
		return nil, fmt.Errorf("raw baseline: connect to %s as %q: %w", broker, user, err)
	}
	tok := p.client.Subscribe(p.topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		p.waiters.deliver(response{ReqID: string(m.Payload()), At: time.Now()})
	})
	if err := waitToken(ctx, tok); err != nil {
		p.client.Disconnect(0)
		return nil, fmt.Errorf("raw baseline: subscribe %s: %w", p.topic, err)
	}
	if code := tok.(*mqtt.SubscribeToken).Result()[p.topic]; code == 0x80 {
		p.client.Disconnect(0)
		return nil, fmt.Errorf("raw baseline: subscribe %s: refused by the broker (its ACL must allow hallq-sim/#)", p.topic)
	}
	return p, nil
}

// roundTrip publishes one QoS 1 message and waits for it to come back.
func (p *rawProbe) roundTrip(ctx context.Context) (time.Duration, error) {
	id := strconv.FormatUint(p.seq.Add(1), 10)
	ch := p.waiters.add(id)
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	start := time.Now()
	p.client.Publish(p.topic, 1, false, id)
	select {
	case r := <-ch:
		return r.At.Sub(start), nil
	case <-timer.C:
		p.waiters.remove(id)
		return 0, fmt.Errorf("raw baseline: %w after %s", errTimeout, p.timeout)
	case <-ctx.Done():
		p.waiters.remove(id)
		return 0, ctx.Err()
	}
}

func (p *rawProbe) close() { p.client.Disconnect(250) }
