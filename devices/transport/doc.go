// Package transport is how hallq's bytes reach devices: the embedded
// mochi-mqtt broker (Embedded, with hallq's hooks and the workarounds of
// devices/mochi) or an external broker such as Mosquitto joined through paho
// (External), behind one small interface (Transport). It knows topics only
// as strings; the device contract is package devices'.
package transport
