package display

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/hallq/hallq/display/web"
)

// PagesConfig says what the web UI serves. Zero fields take the embedded
// pages of display/web.
type PagesConfig struct {
	Files  fs.FS      // pages/*.html and static/...; nil = web.FS()
	Routes []web.Page // route pattern and file of each page; nil = web.Pages()
	// Counter reports whether a counter exists, so that a mistyped counter
	// screen address shows 404 instead of an empty screen; nil = any.
	Counter func(id string) bool
}

// Cache lifetimes: pages always revalidate (their ETag makes that a 304),
// assets may be a few minutes stale after an upgrade (their names carry no
// hash), voice segments never change.
const (
	cachePage   = "no-cache"
	cacheStatic = "public, max-age=300"
	cacheVoice  = "public, max-age=86400"
)

// asset is one embedded file and what its responses say about it.
type asset struct {
	name  string // path in Files
	ctype string
	etag  string
	cache string
}

// MountPages serves the web UI on mux: each page at its route and the
// static/ tree under /static/, with explicit content types, ETags, caching
// and the security headers of securityHeaders. It fails if a page is missing.
func MountPages(mux *http.ServeMux, cfg PagesConfig) error {
	if cfg.Files == nil {
		cfg.Files = web.FS()
	}
	if cfg.Routes == nil {
		cfg.Routes = web.Pages()
	}
	for _, p := range cfg.Routes {
		a, err := newAsset(cfg.Files, p.File, cachePage)
		if err != nil {
			return fmt.Errorf("page %s: %w", p.Pattern, err)
		}
		h := serveAsset(cfg.Files, a)
		if strings.Contains(p.Pattern, "{counter}") && cfg.Counter != nil {
			h = onlyKnownCounter(cfg.Counter, h)
		}
		mux.Handle(p.Pattern, h)
	}
	static := map[string]asset{}
	err := fs.WalkDir(cfg.Files, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		cache := cacheStatic
		if strings.HasPrefix(name, "static/voice/") {
			cache = cacheVoice
		}
		a, err := newAsset(cfg.Files, name, cache)
		static["/"+name] = a
		return err
	})
	if err != nil {
		return fmt.Errorf("static files: %w", err)
	}
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		a, ok := static[r.URL.Path]
		if !ok {
			securityHeaders(w, r)
			http.NotFound(w, r)
			return
		}
		serveAsset(cfg.Files, a).ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		for _, name := range []string{"/static/favicon.ico", "/static/img/favicon.ico", "/static/img/favicon.svg"} {
			if a, ok := static[name]; ok {
				serveAsset(cfg.Files, a).ServeHTTP(w, r)
				return
			}
		}
		securityHeaders(w, r) // none shipped: an empty answer keeps browsers from logging a 404
		w.Header().Set("Cache-Control", cacheVoice)
		w.WriteHeader(http.StatusNoContent)
	})
	return nil
}

// newAsset reads name once for its ETag.
func newAsset(files fs.FS, name, cache string) (asset, error) {
	f, err := files.Open(name)
	if err != nil {
		return asset{}, err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return asset{}, err
	}
	return asset{name: name, ctype: contentType(name), cache: cache,
		etag: `"` + hex.EncodeToString(sum.Sum(nil)[:12]) + `"`}, nil
}

// serveAsset answers GET and HEAD for a, with 304 for a matching If-None-Match.
func serveAsset(files fs.FS, a asset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w, r)
		f, err := files.Open(a.name)
		if err != nil {
			http.Error(w, "file missing", http.StatusInternalServerError)
			return
		}
		defer f.Close()
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			http.Error(w, "file not seekable", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", a.cache)
		h.Set("ETag", a.etag)
		http.ServeContent(w, r, a.name, time.Time{}, rs) // no Last-Modified: embedded files have no time
	})
}

// onlyKnownCounter answers 404 for a counter screen of an unknown counter.
func onlyKnownCounter(known func(string) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !known(r.PathValue("counter")) {
			securityHeaders(w, r)
			http.Error(w, "没有此窗口 unknown counter", http.StatusNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// contentType is set explicitly: a minimal container may have no
// /etc/mime.types, and module scripts need text/javascript.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".ogg":
		return "audio/ogg"
	case ".wav":
		return "audio/wav"
	case ".mp3":
		return "audio/mpeg"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
