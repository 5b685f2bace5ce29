// Package web holds hallq's browser pages: the hall screen, counter screens,
// the ticket kiosk, the staff console, the citizen's ticket page and the
// supervisor view, with their CSS, JavaScript modules and the offline voice.
//
// Everything is plain HTML, CSS and ES modules, served from the binary with no
// build step and no request to the internet. FS returns the files:
//
//	pages/*.html      one page per route (see Pages)
//	static/...        assets, to be served under /static/
//
// See display/web/README.md for the routes, the data-testid attributes and the
// voice design.
package web

import (
	"embed"
	"io/fs"
)

//go:embed pages static
var files embed.FS

// FS returns the embedded pages/ and static/ trees (read-only).
func FS() fs.FS {
	return files
}

// Page is one HTML page and the route it is served at.
type Page struct {
	// Pattern is the route as a net/http ServeMux pattern.
	Pattern string
	// File is the page's path in FS.
	File string
}

// Pages lists the routes and the file each one serves. Assets are served from
// "static" under /static/ (for example with http.FileServerFS(sub) where sub is
// fs.Sub(FS(), "static")).
func Pages() []Page {
	return []Page{
		{Pattern: "GET /{$}", File: "pages/index.html"},
		{Pattern: "GET /screen/hall", File: "pages/hall-screen.html"},
		{Pattern: "GET /screen/counter/{counter}", File: "pages/counter-screen.html"},
		{Pattern: "GET /kiosk", File: "pages/kiosk.html"},
		{Pattern: "GET /console", File: "pages/console.html"},
		{Pattern: "GET /t/{ticket}", File: "pages/ticket.html"},
		{Pattern: "GET /supervisor", File: "pages/supervisor.html"},
		{Pattern: "GET /fleet", File: "pages/fleet.html"},
		{Pattern: "GET /screen/guide", File: "pages/guide-screen.html"},
		{Pattern: "GET /case", File: "pages/case.html"},
		{Pattern: "GET /rate/{counter}", File: "pages/rater.html"},
		{Pattern: "GET /cases", File: "pages/cases.html"},
		{Pattern: "GET /reports", File: "pages/reports.html"},
	}
}
