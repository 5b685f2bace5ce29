package ops

import (
	"bytes"
	"encoding/json"

	"github.com/hallq/hallq/queue"
)

// caseArg is serve.finish's optional case (CONTRACT §2, 1.1):
// {"kind":"instant"|"promised"|"joint"|"referred","case_no":"…"}, plus the
// project's optional lead_counter for a joint case (联办件).
type caseArg struct {
	Kind        *string `json:"kind"`
	CaseNo      *string `json:"case_no"`
	LeadCounter *string `json:"lead_counter"`
}

// parseCase reads the case argument; absent or null is no case. The core
// checks the kind and the case_no's length.
func parseCase(raw json.RawMessage) (*queue.CaseInfo, *queue.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var c caseArg
	if raw[0] != '{' || json.Unmarshal(raw, &c) != nil {
		return nil, queue.Errorf(queue.BadRequest, "办件信息格式错误 case must be an object {kind, case_no}")
	}
	if c.Kind == nil || *c.Kind == "" {
		return nil, queue.Errorf(queue.BadRequest, "缺少办件类型 case.kind is required")
	}
	return &queue.CaseInfo{Kind: *c.Kind, No: str(c.CaseNo), LeadCounter: str(c.LeadCounter)}, nil
}
