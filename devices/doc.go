// Package devices speaks the MQTT half of the contract (CONTRACT §2): it runs
// an embedded broker (or joins an external one), authenticates devices and
// enforces their topic ACLs, turns requests into hall commands and answers
// them once they are durable, tracks presence, publishes retained state and
// announcements, and delivers commands such as rating prompts until the
// device acknowledges them.
//
// How the bytes reach devices is devices/transport's (the embedded broker or
// an external one, behind transport.Transport); the glue and workarounds for
// mochi-mqtt, including device sessions, are devices/mochi's. This package
// holds the contract's logic and gives the embedded broker its auth hook.
package devices
