// Package mochi is the glue between hallq and the embedded mochi-mqtt
// broker, and its workarounds for mochi-mqtt v2.7.9: a listener that keeps
// accepting after errors and times out connections that never send CONNECT
// (GuardedListener), separate packet identifiers per direction
// (PacketIDHook), acknowledged-and-dropped $SYS publishes (SysHook), device
// sessions that survive a fast reconnect (SessionHook), and the broker's log
// into zerolog (NewLogger). Nothing here knows the contract;
// package devices does.
package mochi
