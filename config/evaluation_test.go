package config

import (
	"errors"
	"testing"
)

// TestEvaluationKeys: complaint_days and the provincial push keys load into
// the spec and bad values name their key.
func TestEvaluationKeys(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, err := Parse("hall.yaml", []byte(good+"evaluation: {complaint_days: 7, push_url: \"https://hcp.example.gov.cn/api\", push_token: t, push_levels: national}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Spec().ComplaintDays; got != 7 {
			t.Errorf("complaint days = %d", got)
		}
		if c.Evaluation.PushURL == "" || c.Evaluation.PushLevels != "national" {
			t.Errorf("push keys = %+v", c.Evaluation)
		}
	})
	t.Run("OKDefaults", func(t *testing.T) {
		c, err := Parse("hall.yaml", []byte(good))
		if err != nil {
			t.Fatal(err)
		}
		if c.Spec().ComplaintDays != 5 || c.Evaluation.PushURL != "" || c.Evaluation.PushLevels != "provincial" {
			t.Errorf("defaults = %+v, complaint days %d", c.Evaluation, c.Spec().ComplaintDays)
		}
	})
	for _, tc := range []struct{ name, yaml, key string }{
		{"ErrPushURL", "evaluation: {push_url: \"ftp://x\"}\n", "evaluation.push_url"},
		{"ErrPushLevels", "evaluation: {push_levels: reversed}\n", "evaluation.push_levels"},
		{"ErrComplaintDays", "evaluation: {complaint_days: 0}\n", "evaluation.complaint_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("hall.yaml", []byte(good+tc.yaml))
			var ce *Error
			if !errors.As(err, &ce) || ce.Key != tc.key {
				t.Fatalf("err = %v, want key %s", err, tc.key)
			}
		})
	}
}
