package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"time"
)

func init() {
	subcommands["firmware"] = func(ctx context.Context, args []string) error { return firmwareCLI(ctx, args, os.Stdout) }
}

const firmwareUsage = `usage: hallqd firmware [flags] COMMAND ...
  upload KIND VERSION FILE      store an image (PUT …/firmware/images/KIND/VERSION)
  rollout KIND VERSION          start a rollout (--canary-percent, --soak, --max-failures)
  status [ROLLOUT]              one rollout, or all of them
  halt ROLLOUT                  offer the version to no further device
  rollback ROLLOUT              offer each touched device the fw it ran before
flags (before COMMAND): --url, --user, --password (or HALLQD_PASSWORD), --hall`

// firmwareCLI is hallqd firmware: rollout maintenance against a running
// hallqd over HTTP with an admin's credentials (CONTRACT §6, docs/firmware.md).
func firmwareCLI(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("hallqd firmware", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	base := fs.String("url", "http://127.0.0.1:8080", "hallqd's HTTP address")
	user := fs.String("user", "admin", "an admin's login name")
	password := fs.String("password", "", "the password; default $HALLQD_PASSWORD")
	hallID := fs.String("hall", "", "hall id; default the hall hallqd runs")
	canary := fs.Float64("canary-percent", 10, "rollout: percent of the kind's devices in the canary stage")
	soak := fs.Duration("soak", 10*time.Minute, "rollout: how long the canaries run the version before the rest get it")
	maxFail := fs.Int("max-failures", 1, "rollout: failed devices tolerated; one more halts the rollout")
	if err := fs.Parse(args); err != nil {
		return &usageError{err.Error() + "\n" + firmwareUsage}
	}
	if *password == "" {
		*password = os.Getenv("HALLQD_PASSWORD")
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return &usageError{firmwareUsage}
	}
	want := map[string]int{"upload": 4, "rollout": 3, "halt": 2, "rollback": 2}
	if n, ok := want[rest[0]]; (ok && len(rest) != n) || (!ok && rest[0] != "status") || (rest[0] == "status" && len(rest) > 2) {
		return &usageError{firmwareUsage}
	}
	c, err := dialAdmin(ctx, strings.TrimRight(*base, "/"), *user, *password, *hallID)
	if err != nil {
		return err
	}
	var res json.RawMessage
	switch rest[0] {
	case "upload":
		f, ferr := os.Open(rest[3])
		if ferr != nil {
			return fmt.Errorf("firmware upload: %w", ferr)
		}
		defer f.Close()
		res, err = c.call(ctx, http.MethodPut, "/firmware/images/"+url.PathEscape(rest[1])+"/"+url.PathEscape(rest[2]), f)
	case "rollout":
		body, _ := json.Marshal(map[string]any{"kind": rest[1], "version": rest[2], "canary_percent": *canary,
			"soak_s": int(soak.Seconds()), "max_failures": *maxFail})
		res, err = c.call(ctx, http.MethodPost, "/firmware/rollouts", bytes.NewReader(body))
	case "status":
		path := "/firmware/rollouts"
		if len(rest) == 2 {
			path += "/" + url.PathEscape(rest[1])
		}
		res, err = c.call(ctx, http.MethodGet, path, nil)
	case "halt", "rollback":
		res, err = c.call(ctx, http.MethodPost, "/firmware/rollouts/"+url.PathEscape(rest[1])+"/"+rest[0], nil)
	}
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, res, "", "  ") != nil {
		pretty.Write(res)
	}
	pretty.WriteByte('\n')
	_, err = out.Write(pretty.Bytes())
	return err
}

// adminClient is a logged-in admin session: the cookie and its CSRF token.
type adminClient struct {
	http *http.Client
	base string // …/api/v1/halls/{hall}
	csrf string
}

// apiErr is a refusal from the API.
type apiErr struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiErr) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message) }

// dialAdmin logs in (POST /api/v1/login) and finds the hall id.
func dialAdmin(ctx context.Context, base, user, password, hall string) (*adminClient, error) {
	jar, _ := cookiejar.New(nil)
	c := &adminClient{http: &http.Client{Jar: jar, Timeout: 5 * time.Minute}, base: base}
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	res, err := c.do(ctx, http.MethodPost, base+"/api/v1/login", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("log in to %s as %s: %w", base, user, err)
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(res, &login)
	c.csrf = login.CSRF
	if hall == "" {
		res, err := c.do(ctx, http.MethodGet, base+"/api/v1/hall", nil)
		if err != nil {
			return nil, fmt.Errorf("find the hall id: %w", err)
		}
		var h struct {
			ID string `json:"id"`
		}
		json.Unmarshal(res, &h)
		hall = h.ID
	}
	c.base = base + "/api/v1/halls/" + url.PathEscape(hall)
	return c, nil
}

func (c *adminClient) call(ctx context.Context, method, path string, body io.Reader) (json.RawMessage, error) {
	return c.do(ctx, method, c.base+path, body)
}

// do sends one request and unwraps {"ok","result","error"}.
func (c *adminClient) do(ctx context.Context, method, u string, body io.Reader) (json.RawMessage, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if c.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if method == http.MethodPut {
		req.Header.Set("Content-Type", "application/octet-stream")
	} else if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var env struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		Error  *apiErr         `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 16<<20)).Decode(&env); err != nil {
		return nil, fmt.Errorf("%s %s: HTTP %d, not an API answer: %w", method, u, res.StatusCode, err)
	}
	if !env.OK {
		if env.Error == nil {
			return nil, fmt.Errorf("%s %s: HTTP %d without an error", method, u, res.StatusCode)
		}
		env.Error.Status = res.StatusCode
		return nil, env.Error
	}
	return env.Result, nil
}

// errAPI tells whether err is an API refusal with code.
func errAPI(err error, code string) bool {
	var ae *apiErr
	return errors.As(err, &ae) && ae.Code == code
}
