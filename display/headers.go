package display

import (
	"net/http"
	"strings"
)

// securityHeaders sets what every page and asset response carries. The CSP
// allows nothing outside the hall server: scripts and styles only from its
// files (no inline code), the websocket only to the same host, images and
// sound also from data: and blob: URLs the pages make themselves; no page
// may be framed (the console must not be clickjacked).
func securityHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	connect := "'self'"
	if hostOK(r.Host) {
		connect += " ws://" + r.Host + " wss://" + r.Host
	}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self'; connect-src "+connect+"; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // ticket ids are in page addresses
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=(), payment=(), usb=()")
}

// hostOK reports whether a Host header is safe to put into the CSP.
func hostOK(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	return strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == ""
}
