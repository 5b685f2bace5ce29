package transport

// Handler receives one message on a subscribed filter; origin is the
// publishing client's id when the broker knows it ("" otherwise). It must not
// block: it runs on the broker's or the MQTT client's delivery goroutine.
type Handler func(topic, origin string, payload []byte)

// Transport is the broker hallqd talks through: the embedded one or an
// external one. Every message is QoS 1.
type Transport interface {
	// Publish sends one message, retained or not.
	Publish(topic string, payload []byte, retain bool) error
	// Subscribe calls fn with every message on filter.
	Subscribe(filter string, fn Handler) error
	// Ready reports whether devices can reach hallqd through the broker.
	Ready() error
	// Close stops the transport.
	Close() error
}
