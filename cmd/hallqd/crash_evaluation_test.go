package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"
)

const crashEvalConfig = `
hall: {id: crash, name: {zh: 崩溃测试, en: Crash test}}
services:
  - {id: social, prefix: A, name: {zh: 社保, en: Social}}
counters:
  - {id: "1", name: {zh: 1号窗口, en: Window 1}, services: [social]}
devices:
  - {id: kiosk-01, kind: kiosk, secret: k1}
  - {id: rater-1, kind: rater, counter: "1", secret: r1}
staff:
  - {id: s1, name: 张敏, role: staff, password: pw-s1}
  - {id: boss, name: 主任, role: supervisor, password: pw-boss}
listen: {http: "127.0.0.1:%d", mqtt: "127.0.0.1:%d"}
storage: {dir: %q}
`

// staffClient logs user in to the child and returns the client and its
// CSRF header.
func staffClient(t *testing.T, base, user, pw string) (*http.Client, map[string]string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	r, err := post(c, base+"/api/v1/login", nil, fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	if err != nil || !r.OK {
		t.Fatalf("login %s: %v %+v", user, err, r)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(r.Result, &me)
	return c, map[string]string{"X-CSRF-Token": me.CSRF}
}

// TestCrashKeepsCases: a 差评 case, its acknowledged step and a complaint
// survive SIGKILL of hallqd right after the replies.
func TestCrashKeepsCases(t *testing.T) {
	dir := t.TempDir()
	hp, mp := freePort(t), freePort(t)
	cfgPath := filepath.Join(dir, "hall.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashEvalConfig, hp, mp, filepath.Join(dir, "data"))), 0o644)
	base := fmt.Sprintf("http://127.0.0.1:%d", hp)
	api := base + "/api/v1/halls/crash"
	must := func(r *apiReply, err error) *apiReply {
		t.Helper()
		if err != nil || !r.OK {
			t.Fatalf("request: %v %+v", err, r)
		}
		return r
	}

	c := startChild(t, cfgPath, base)
	s1, csrf := staffClient(t, base, "s1", "pw-s1")
	must(post(s1, api+"/counters/1/signin", csrf, ""))
	must(post(s1, api+"/counters/1/ops/counter.open", csrf, ""))
	must(post(http.DefaultClient, api+"/tickets", map[string]string{"Authorization": "Bearer kiosk-01:k1"}, `{"service":"social"}`))
	must(post(s1, api+"/counters/1/ops/call.next", csrf, ""))
	must(post(s1, api+"/counters/1/ops/serve.finish", csrf, ""))
	var rating struct {
		CaseID string `json:"case_id"`
	}
	json.Unmarshal(must(post(http.DefaultClient, api+"/counters/1/rating", map[string]string{"Authorization": "Bearer rater-1:r1"},
		`{"level":1,"reasons":["服务态度差"],"text":"不理人"}`)).Result, &rating)
	boss, bcsrf := staffClient(t, base, "boss", "pw-boss")
	must(post(boss, api+"/cases/"+rating.CaseID+"/verify", bcsrf, `{"valid":true,"note":"属实"}`))
	must(post(boss, api+"/complaints", bcsrf, `{"channel":"hotline","counter":"1","text":"电话投诉"}`))
	c.kill() // SIGKILL right after the acknowledgements

	c = startChild(t, cfgPath, base)
	defer c.kill()
	boss, _ = staffClient(t, base, "boss", "pw-boss")
	resp, err := boss.Get(api + "/cases/" + rating.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	var r apiReply
	json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	var k struct {
		Status  string   `json:"status"`
		Text    string   `json:"text"`
		Reasons []string `json:"reasons"`
		History []any    `json:"history"`
	}
	json.Unmarshal(r.Result, &k)
	if !r.OK || k.Status != "verified" || len(k.History) != 2 || k.Text != "不理人" || len(k.Reasons) != 1 {
		t.Fatalf("case after kill -9: %s %+v", r.Result, r.Error)
	}
	resp, err = boss.Get(api + "/complaints?status=open")
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		Result struct {
			Complaints []any `json:"complaints"`
		} `json:"result"`
	}
	json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if len(l.Result.Complaints) != 1 {
		t.Fatalf("complaints after kill -9: %d", len(l.Result.Complaints))
	}
}
