package devices

// handler receives one message on a subscribed filter; origin is the
// publishing client's id when the broker knows it ("" otherwise). It must not
// block: it runs on the broker's or the MQTT client's delivery goroutine.
type handler func(topic, origin string, payload []byte)

// transport is the broker hallqd talks through: the embedded one or an
// external one. Every message is QoS 1.
type transport interface {
	publish(topic string, payload []byte, retain bool) error
	subscribe(filter string, fn handler) error
	ready() error
	close() error
}
