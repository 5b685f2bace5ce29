package main

import (
	"net/http"
	"net/url"

	"github.com/hallq/hallq/display"
	"github.com/hallq/hallq/httpapi"
)

// mountDisplay serves the screens' websocket hub (CONTRACT §3) and the web
// pages on mux; Close stops the hub before the hall.
func (m *Main) mountDisplay(mux *http.ServeMux) {
	var origins []string
	if u, err := url.Parse(m.Config.Hall.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		origins = append(origins, u.Scheme+"://"+u.Host) // pages opened through the public address
	}
	hub := display.NewHub(display.HubConfig{Hall: m.Hall, Log: m.Log, Registry: m.Registry, Origins: origins,
		Supervisor: func(r *http.Request) int { return httpapi.SupervisorStatus(m.Staff, r) }})
	m.closers = append(m.closers, hub.Close)
	mux.Handle("GET /ws/v1/halls/{hall}", hub)
	spec := m.Hall.Spec()
	err := display.MountPages(mux, display.PagesConfig{Counter: func(id string) bool { return spec.Counters[id] != nil }})
	if err != nil { // the pages are embedded: only a broken build gets here
		m.Log.Error().Err(err).Msg("web pages not served")
	}
}
