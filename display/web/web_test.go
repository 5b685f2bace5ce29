package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"
)

func readFS(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

func TestPagesExist(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Pages() {
		if seen[p.Pattern] {
			t.Errorf("duplicate pattern %q", p.Pattern)
		}
		seen[p.Pattern] = true
		html := readFS(t, p.File)
		if !strings.Contains(html, `<meta charset="utf-8">`) {
			t.Errorf("%s: no utf-8 meta", p.File)
		}
		if !strings.Contains(html, `data-testid="lang-toggle"`) {
			t.Errorf("%s: no 中/EN toggle", p.File)
		}
	}
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
var jsImport = regexp.MustCompile(`(?m)(?:from|import\()\s*'(\.[^']+)'`)

// Every /static/ reference in a page and every relative import in a module
// resolves to an embedded file.
func TestReferencesResolve(t *testing.T) {
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".html"):
			for _, m := range assetRef.FindAllStringSubmatch(readFS(t, p), -1) {
				if _, err := fs.Stat(FS(), strings.TrimPrefix(m[1], "/")); err != nil {
					t.Errorf("%s: %s does not exist", p, m[1])
				}
			}
		case strings.HasSuffix(p, ".js"):
			for _, m := range jsImport.FindAllStringSubmatch(readFS(t, p), -1) {
				target := path.Join(path.Dir(p), m[1])
				if _, err := fs.Stat(FS(), target); err != nil {
					t.Errorf("%s: import %s does not exist", p, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var externalURL = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`)

// The pages must work with no internet: no CDN, no web font, no remote script.
func TestNoExternalResources(t *testing.T) {
	_ = fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if ext != ".html" && ext != ".css" && ext != ".js" {
			return nil
		}
		s := readFS(t, p)
		s = strings.ReplaceAll(s, "http://www.w3.org/2000/svg", "")
		// XML namespace names in the vendored ECharts (never fetched).
		for _, ns := range []string{"http://www.w3.org/1999/xlink", "http://www.w3.org/2000/xmlns/", "http://www.w3.org/XML/1998/namespace"} {
			s = strings.ReplaceAll(s, ns, "")
		}
		for _, line := range strings.Split(s, "\n") {
			l := strings.TrimSpace(line)
			if strings.HasPrefix(l, "//") || strings.HasPrefix(l, "*") || strings.HasPrefix(l, "/*") {
				continue // comments
			}
			if m := externalURL.FindString(l); m != "" {
				t.Errorf("%s: external URL %q in %q", p, m, l)
			}
			if strings.Contains(l, "@import url(") || strings.Contains(l, "@font-face") {
				t.Errorf("%s: remote CSS or web font: %q", p, l)
			}
		}
		return nil
	})
}

type manifest struct {
	SampleRate int `json:"sample_rate"`
	Segments   map[string]struct {
		Ogg string  `json:"ogg"`
		Wav string  `json:"wav"`
		Dur float64 `json:"dur"`
	} `json:"segments"`
}

func TestVoiceManifest(t *testing.T) {
	var m manifest
	if err := json.Unmarshal([]byte(readFS(t, "static/voice/manifest.json")), &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"chime", "zh/qing", "zh/hao", "zh/dao", "zh/hao_window", "zh/shi", "zh/bai", "zh/qian",
		"en/number", "en/window", "en/hundred", "en/thousand"}
	for d := 0; d <= 9; d++ {
		want = append(want, "zh/d"+string(rune('0'+d)))
	}
	for n := 0; n <= 19; n++ {
		want = append(want, "en/n"+itoa(n))
	}
	for n := 20; n <= 90; n += 10 {
		want = append(want, "en/n"+itoa(n))
	}
	for c := 'a'; c <= 'z'; c++ {
		want = append(want, "zh/"+string(c), "en/"+string(c))
	}
	for _, k := range want {
		if _, ok := m.Segments[k]; !ok {
			t.Errorf("voice segment %s missing", k)
		}
	}
	var total int64
	for k, s := range m.Segments {
		if s.Dur <= 0 || s.Dur > 4 {
			t.Errorf("segment %s: duration %v", k, s.Dur)
		}
		for _, f := range []string{s.Ogg, s.Wav} {
			if f == "" {
				continue
			}
			st, err := fs.Stat(FS(), "static/voice/"+f)
			if err != nil {
				t.Errorf("segment %s: %v", k, err)
				continue
			}
			total += st.Size()
		}
	}
	if total > 1536*1024 {
		t.Errorf("voice files total %d bytes, want < 1.5 MB", total)
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var testidAttr = regexp.MustCompile(`data-testid="([a-z0-9-]+)"`)

// Every fixed data-testid of the pages is documented in README.md.
func TestTestIDsDocumented(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Pages() {
		for _, m := range testidAttr.FindAllStringSubmatch(readFS(t, p.File), -1) {
			if !strings.Contains(string(readme), "`"+m[1]+"`") {
				t.Errorf("%s: data-testid %q not in README.md", p.File, m[1])
			}
		}
	}
}

// The browser modules' pure logic (announcement text, reducer, reconnects),
// checked with node when it is installed.
func TestJavaScriptModules(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	out, err := exec.Command(node, "testdata/js_test.mjs").CombinedOutput()
	if err != nil {
		t.Fatalf("node testdata/js_test.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
