package mochi

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/rs/zerolog"
)

// failingOnce is a real TCP listener whose first Accept fails as if the
// process were out of file handles.
type failingOnce struct {
	net.Listener
	failed atomic.Bool
}

func (f *failingOnce) Accept() (net.Conn, error) {
	if f.failed.CompareAndSwap(false, true) {
		return nil, errors.New("accept4: too many open files")
	}
	return f.Listener.Accept()
}

// TestGuardedListenerKeepsAccepting: after an accept error the listener
// says it is not accepting and accepts the next connection; Close closes
// the connections it handed out.
func TestGuardedListenerKeepsAccepting(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewGuardedListener(&failingOnce{Listener: tcp}, zerolog.Nop())
	dialed := make(chan net.Conn, 1)
	go func() {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Error(err)
		}
		dialed <- c
	}()
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("accept after an error: %v", err)
	}
	if l.AcceptErr() == nil {
		t.Error("AcceptErr is nil right after an accept error")
	}
	client := <-dialed
	defer client.Close()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("x")); err == nil {
		t.Error("a connection stayed open after Close")
	}
	if _, err := l.Accept(); err == nil {
		t.Error("Accept after Close succeeded")
	}
}

// TestSysHookRedirects: a device's PUBLISH to $SYS (any case) goes to
// VoidTopic, not retained; other topics and the broker's own are left alone.
func TestSysHookRedirects(t *testing.T) {
	h := &SysHook{}
	device := &mqtt.Client{}
	inline := &mqtt.Client{}
	inline.Net.Inline = true
	for _, tc := range []struct {
		cl    *mqtt.Client
		topic string
		want  string
	}{
		{device, "$SYS/broker/load", VoidTopic},
		{device, "$sys/x", VoidTopic},
		{device, "hallq/v1/h/dev/kiosk-01/req", "hallq/v1/h/dev/kiosk-01/req"},
		{inline, "$SYS/broker/load", "$SYS/broker/load"},
	} {
		pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: 1, Retain: true}, TopicName: tc.topic}
		got, err := h.OnPacketRead(tc.cl, pk)
		if err != nil || got.TopicName != tc.want || (tc.want == VoidTopic && got.FixedHeader.Retain) {
			t.Errorf("%q: topic %q retain %v, %v; want %q", tc.topic, got.TopicName, got.FixedHeader.Retain, err, tc.want)
		}
	}
}
