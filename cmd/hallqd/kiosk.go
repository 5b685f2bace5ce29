package main

import "github.com/hallq/hallq/httpapi"

// decorateAPI adds the kiosk's print layout and QR codes to the API.
func (m *Main) decorateAPI(cfg *httpapi.Config) {}
