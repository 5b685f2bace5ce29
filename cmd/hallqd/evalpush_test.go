package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hallq/hallq/config"
	"github.com/hallq/hallq/internal/testenv"
)

// TestE2EEvalPush: hallqd with evaluation.push_url delivers a rating made at
// the rater endpoint to the platform, and /readyz and /metrics show the push.
func TestE2EEvalPush(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec map[string]any
		json.NewDecoder(r.Body).Decode(&rec)
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
	}))
	t.Cleanup(rcv.Close) // after hallqd stops (cleanups run last first)
	d := startE2EWith(t, func(cfg *config.Config) { cfg.Evaluation.PushURL = rcv.URL })
	serveAt(t, d, "1", "s01", "general")
	if r := d.call(t, nil, "POST", demoHall+"/counters/1/rating", map[string]string{"Authorization": "Bearer rater-1:demo-rater-1"}, `{"level":1}`); !r.OK {
		t.Fatalf("rating: %v", r)
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	}, "the rating never reached the platform")
	mu.Lock()
	rec := got[0]
	mu.Unlock()
	if rec["type"] != "rating" || rec["level"] != 1.0 || rec["level_code"] != 5.0 || rec["case_id"] == nil {
		t.Fatalf("record %v: want level 1 coded 5 (provincial) with its case", rec)
	}
	var ready struct {
		Detail struct {
			Push struct {
				Delivered int64 `json:"delivered"`
			} `json:"evalpush"`
		} `json:"detail"`
	}
	testenv.Eventually(t, 10*time.Second, func() bool {
		resp, err := http.Get(d.base + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		json.NewDecoder(resp.Body).Decode(&ready)
		return ready.Detail.Push.Delivered == 1
	}, "/readyz detail does not show the delivery")
	testenv.Eventually(t, 10*time.Second, func() bool {
		resp, err := http.Get(d.base + "/metrics")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(body), `hallq_evalpush_sent_total{type="rating"} 1`) && strings.Contains(string(body), "hallq_evalpush_lag_events")
	}, "/metrics lacks the push metrics")
}
