package display

import (
	"net/http"
	"net/url"
	"strings"
)

// checkOrigin is the hub's cross-origin policy. Screens only read, but the
// stream names staff and devices, so a web page elsewhere must not read it
// through a browser on the hall's network. Allowed:
//   - no Origin header: not a browser (devices, integrators, the contract's
//     tests), which cross-site requests cannot forge;
//   - the server's own origin (the Origin's host equals the request's Host);
//   - an origin listed in HubConfig.Origins (exact scheme://host[:port]), or
//     any origin when the list holds "*".
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range h.cfg.Origins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	h.log.Info().Str("origin", origin).Str("from", r.RemoteAddr).Msg("screen refused: origin not allowed")
	return false
}
