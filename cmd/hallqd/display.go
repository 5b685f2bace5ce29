package main

import "net/http"

// mountDisplay serves the websocket hub and the pages.
func (m *Main) mountDisplay(mux *http.ServeMux) {}
