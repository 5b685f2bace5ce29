package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hallq/hallq"

// pkg is one package of the module as `go list -deps` sees it.
type pkg struct {
	path  string   // relative to the module, e.g. "queue", "store/mysql"
	deps  []string // the module's packages it depends on, directly or not (relative)
	error string   // go list's error for it, e.g. an import cycle
}

// rule says which of the module's packages a package may depend on.
type rule struct {
	pkg   string   // a package, or a prefix ending in "/" for a tree
	allow []string // nil: anything but what deny names
	deny  []string // packages (or trees ending in "/") it must never reach
}

// rules are ARCHITECTURE.md "Who may import whom", written as dependencies
// (transitive, so a rule cannot be dodged through a helper package).
var rules = []rule{
	{pkg: "queue", allow: []string{}}, // queue/ imports nothing of hallq
	// The one fold of the journal into report rows (ARCHITECTURE "the
	// management half") is pure like queue/: the local store and the MySQL
	// replicator both write its rows.
	{pkg: "report/fold", allow: []string{"queue"}},
	{pkg: "report/rowsql", allow: []string{"queue", "report/fold"}},
	{pkg: "store", allow: []string{"queue", "report/fold", "report/rowsql"}}, // store/ may import queue/ (event types) and the fold
	{pkg: "store/mysql", allow: []string{"queue", "store", "report/fold", "report/rowsql"}},
	{pkg: "hall", allow: []string{"queue", "store", "report/fold", "report/rowsql"}}, // the hall runtime imports queue/ and store/
	{pkg: "devices", deny: []string{"display", "display/", "httpapi", "kiosk/"}},     // transports never reach each other
	{pkg: "devices/", deny: []string{"display", "display/", "httpapi"}},              // and their subpackages neither
	{pkg: "devices/mochi", allow: []string{}},                                        // the broker glue knows nothing of hallq
	{pkg: "devices/transport", allow: []string{"devices/mochi", "netlimit"}},         // bytes to devices, not the contract
	{pkg: "display", deny: []string{"devices", "devices/", "httpapi"}},
	{pkg: "display/", deny: []string{"devices", "devices/", "httpapi"}},
	{pkg: "httpapi", deny: []string{"devices", "devices/", "display"}},
	{pkg: "kiosk", deny: []string{"devices", "devices/", "display", "display/", "httpapi"}}, // serves both transports
}

// matches reports whether rel is name, or lies in the tree name when name ends in "/".
func matches(name, rel string) bool {
	if strings.HasSuffix(name, "/") {
		return strings.HasPrefix(rel, name)
	}
	return rel == name
}

// violations lists every broken rule in pkgs, one line each.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		if p.error != "" {
			out = append(out, p.path+": "+p.error)
		}
		for _, d := range p.deps {
			if d == "cmd" || strings.HasPrefix(d, "cmd/") { // cmd/ only wires: nothing imports it
				out = append(out, p.path+" imports "+d+" (nothing may import cmd/)")
			}
		}
		for _, r := range rules {
			if !matches(r.pkg, p.path) {
				continue
			}
			for _, d := range p.deps {
				if r.allow != nil && !slices.Contains(r.allow, d) && !strings.HasPrefix(d, "internal/") {
					out = append(out, p.path+" imports "+d+" (allowed: "+strings.Join(r.allow, ", ")+")")
				}
				for _, x := range r.deny {
					if matches(x, d) {
						out = append(out, p.path+" imports "+d+" (never allowed)")
					}
				}
			}
		}
	}
	return out
}

// listModule runs `go list -deps` over the whole module, tests excluded.
func listModule(t *testing.T) []pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	root, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-deps", "-f",
		"{{.ImportPath}}\t{{join .Deps \" \"}}\t{{if .Error}}{{.Error.Err}}{{end}}{{range .DepsErrors}} {{.Err}}{{end}}", "./...")
	cmd.Dir = strings.TrimSpace(string(root))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(outb))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 3)
		if len(f) != 3 || (f[0] != module && !strings.HasPrefix(f[0], module+"/")) {
			continue // the standard library and other modules
		}
		p := pkg{path: strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/"), error: strings.TrimSpace(f[2])}
		for _, d := range strings.Fields(f[1]) {
			if strings.HasPrefix(d, module+"/") {
				p.deps = append(p.deps, strings.TrimPrefix(d, module+"/"))
			}
		}
		pkgs = append(pkgs, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestImportRules checks the module against ARCHITECTURE.md "Who may import
// whom": queue/ imports nothing of hallq, store/ only queue/, the hall
// runtime only queue/ and store/, the transports never each other, nothing
// imports cmd/, and there are no import cycles.
func TestImportRules(t *testing.T) {
	pkgs := listModule(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.path] = true
	}
	for _, r := range rules { // a renamed package must not silently escape its rule (trees may be empty)
		if !strings.HasSuffix(r.pkg, "/") && !seen[r.pkg] {
			t.Errorf("rule for %q matches no package of the module", r.pkg)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestViolationsCaught feeds the checker graphs that break each rule, so a
// checker that passes everything would fail here.
func TestViolationsCaught(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkgs []pkg
	}{
		{"QueueImportsStore", []pkg{{path: "queue", deps: []string{"store"}}}},
		{"StoreImportsHall", []pkg{{path: "store", deps: []string{"queue", "hall"}}}},
		{"HallImportsDevices", []pkg{{path: "hall", deps: []string{"queue", "store", "devices"}}}},
		{"DevicesImportsDisplay", []pkg{{path: "devices", deps: []string{"hall", "display"}}}},
		{"DisplayImportsDevices", []pkg{{path: "display", deps: []string{"hall", "devices"}}}},
		{"DevicesSubpackageImportsDisplay", []pkg{{path: "devices/mochi", deps: []string{"display/web"}}}},
		{"MochiImportsDevices", []pkg{{path: "devices/mochi", deps: []string{"devices", "hall"}}}},
		{"TransportImportsDevices", []pkg{{path: "devices/transport", deps: []string{"devices/mochi", "devices"}}}},
		{"HTTPAPIImportsDisplay", []pkg{{path: "httpapi", deps: []string{"display"}}}},
		{"KioskImportsHTTPAPI", []pkg{{path: "kiosk", deps: []string{"httpapi"}}}},
		{"ImportsCmd", []pkg{{path: "ops", deps: []string{"cmd/hallqd"}}}},
		{"Cycle", []pkg{{path: "ops", error: "import cycle not allowed"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := violations(tc.pkgs); len(got) == 0 {
				t.Errorf("violations(%+v) found nothing", tc.pkgs)
			}
		})
	}
	ok := []pkg{{path: "queue"}, {path: "store", deps: []string{"queue"}}, {path: "hall", deps: []string{"queue", "store"}},
		{path: "devices/mochi"}, {path: "devices/transport", deps: []string{"devices/mochi", "netlimit"}},
		{path: "devices", deps: []string{"hall", "queue", "store", "devauth", "devices/mochi", "devices/transport"}},
		{path: "cmd/hallqd", deps: []string{"devices", "display"}}}
	if got := violations(ok); len(got) != 0 {
		t.Errorf("a graph that keeps the rules: %v", got)
	}
}
