package config

import (
	"net/url"

	"github.com/hallq/hallq/queue"
)

// validateEvaluation checks the evaluation keys hallq adds: complaint_days
// and the provincial push (docs/evaluation.md).
func (c *Config) validateEvaluation(bad func(key, format string, args ...any) error) error {
	ev := c.Evaluation
	if v := *ev.ComplaintDays; v < 1 || v > 365 {
		return bad("evaluation.complaint_days", "must be 1-365 working days")
	}
	if ev.PushURL != "" {
		u, err := url.Parse(ev.PushURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("evaluation.push_url", "must be an http:// or https:// URL")
		}
	}
	if len(ev.PushToken) > 512 {
		return bad("evaluation.push_token", "is longer than 512 characters")
	}
	ok := false
	for _, t := range queue.LevelTargets() {
		ok = ok || t == ev.PushLevels
	}
	if !ok {
		return bad("evaluation.push_levels", "must be provincial, national or survey3")
	}
	return nil
}
