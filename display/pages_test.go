package display

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func mustServePages(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	err := MountPages(mux, PagesConfig{Counter: func(id string) bool { return id == "1" || id == "12" }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestPages(t *testing.T) {
	srv := mustServePages(t)
	for _, tc := range []struct{ path, marker string }{
		{"/", "link-hall-screen"},
		{"/screen/hall", "latest-call"},
		{"/screen/counter/12", "counter-ticket"},
		{"/kiosk", "kiosk-menu"},
		{"/console", "console-login"},
		{"/t/20261123-A024", "ticket-number"},
		{"/supervisor", "kpi-waiting"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got, want := resp.Header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if !strings.Contains(body, tc.marker) {
				t.Errorf("body lacks %q", tc.marker)
			}
			if got := resp.Header.Get("Cache-Control"); got != cachePage {
				t.Errorf("Cache-Control = %q, want %q", got, cachePage)
			}
			checkSecurityHeaders(t, resp)
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			resp, _ = get(t, srv.URL+tc.path, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation = %d, want 304", resp.StatusCode)
			}
		})
	}
}

func checkSecurityHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"http:", "https:", "*", "unsafe-inline", "unsafe-eval"} {
		if strings.Contains(strings.ReplaceAll(csp, "ws://", ""), bad) {
			t.Errorf("CSP %q allows %q", csp, bad)
		}
	}
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestStatic(t *testing.T) {
	srv := mustServePages(t)
	for _, tc := range []struct{ path, ctype, cache string }{
		{"/static/js/hallstream.js", "text/javascript; charset=utf-8", cacheStatic},
		{"/static/css/theme.css", "text/css; charset=utf-8", cacheStatic},
		{"/static/voice/manifest.json", "application/json", cacheVoice},
		{"/static/voice/chime.ogg", "audio/ogg", cacheVoice},
		{"/static/voice/chime.wav", "audio/wav", cacheVoice},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path, nil)
			if resp.StatusCode != http.StatusOK || len(body) == 0 {
				t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
			}
			if got := resp.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tc.ctype)
			}
			if got := resp.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			checkSecurityHeaders(t, resp)
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		resp, err := http.Head(srv.URL + "/static/js/api.js")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ContentLength <= 0 {
			t.Errorf("HEAD = %d, length %d", resp.StatusCode, resp.ContentLength)
		}
	})
}

func TestPagesNotFound(t *testing.T) {
	srv := mustServePages(t)
	for _, p := range []string{
		"/static/", "/static/js/", "/static/js/nope.js", "/static/../pages/index.html", "/static/%2e%2e/pages/index.html",
		"/pages/index.html", "/screen/counter/99", "/screen/counter/", "/nope", "/kiosk/x",
	} {
		t.Run(p, func(t *testing.T) {
			resp, _ := get(t, srv.URL+p, nil)
			if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMovedPermanently {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			if resp.StatusCode == http.StatusOK {
				t.Errorf("served %s", p)
			}
		})
	}
	resp, _ := get(t, srv.URL+"/static/js/nope.js", nil)
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("404 without security headers")
	}
}

func TestCSPHost(t *testing.T) {
	for host, ok := range map[string]bool{"127.0.0.1:8080": true, "hall.local": true, "[::1]:80": true,
		"": false, "evil; script-src *": false, "a b": false} {
		if got := hostOK(host); got != ok {
			t.Errorf("hostOK(%q) = %v, want %v", host, got, ok)
		}
	}
}

func TestFavicon(t *testing.T) {
	srv := mustServePages(t)
	resp, _ := get(t, srv.URL+"/favicon.ico", nil)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Errorf("favicon: %d, want 200 or 204", resp.StatusCode)
	}
}
