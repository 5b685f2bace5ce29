package devices

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/ops"
	"github.com/hallq/hallq/queue"
)

// Request is a device request as read from dev/{device}/req (CONTRACT §2
// requests and responses).
type Request struct {
	ReqID    string
	HasReqID bool // a req_id could be read, so the device can be answered
	Op       string
	Body     []byte // the whole payload; ops.Parse reads the arguments from it
}

// DecodeRequest reads a request payload. Whenever a string req_id can be
// read, even from a malformed or oversized payload, HasReqID is set so that
// the device gets bad_request (CONTRACT §2 malformed input). It never panics.
func DecodeRequest(payload []byte) (Request, *queue.Error) {
	if len(payload) > ops.MaxPayload { // CONTRACT §2: a larger payload is never carried out
		r := scanReqID(payload)
		return r, queue.Errorf(queue.BadRequest, "请求过大 payload larger than %d bytes", ops.MaxPayload)
	}
	if !utf8.Valid(payload) {
		return scanReqID(payload), queue.Errorf(queue.BadRequest, "请求须为 UTF-8 payload is not UTF-8")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil || fields == nil {
		return scanReqID(payload), queue.Errorf(queue.BadRequest, "请求须为 JSON 对象 payload is not a JSON object")
	}
	r := Request{Body: payload}
	raw, ok := fields["req_id"]
	if !ok || !isJSONString(raw) {
		return r, queue.Errorf(queue.BadRequest, "缺少 req_id req_id must be a string")
	}
	if err := json.Unmarshal(raw, &r.ReqID); err != nil {
		return r, queue.Errorf(queue.BadRequest, "req_id 无效 bad req_id")
	}
	r.HasReqID = true
	if r.ReqID == "" || utf8.RuneCountInString(r.ReqID) > ops.MaxReqID {
		return r, queue.Errorf(queue.BadRequest, "req_id 须为 1-%d 个字符 req_id must be 1-%d characters", ops.MaxReqID, ops.MaxReqID)
	}
	raw, ok = fields["op"]
	if !ok || !isJSONString(raw) || json.Unmarshal(raw, &r.Op) != nil || r.Op == "" {
		return r, queue.Errorf(queue.BadRequest, "缺少 op op must be a non-empty string")
	}
	return r, nil
}

func isJSONString(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) >= 2 && raw[0] == '"'
}

// scanReqID reads the top-level req_id of a payload that is not a valid
// request, as far as the JSON tokens go before the first syntax error.
func scanReqID(payload []byte) Request {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Request{}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Request{}
		}
		key, ok := tok.(string)
		if !ok {
			return Request{}
		}
		if key != "req_id" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return Request{}
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return Request{}
		}
		if id, ok := tok.(string); ok {
			return Request{ReqID: id, HasReqID: true}
		}
		return Request{}
	}
	return Request{}
}

// response is the body published on dev/{device}/res (CONTRACT §2).
type response struct {
	ReqID  string          `json:"req_id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *queue.Error    `json:"error,omitempty"`
}

// encodeResponse is the response to reqID for a hall reply.
func encodeResponse(reqID string, rep hall.Reply) []byte {
	r := response{ReqID: reqID, OK: rep.OK, Result: rep.Result, Error: rep.Error}
	if r.OK {
		r.Error = nil
		if len(r.Result) == 0 || string(r.Result) == "null" {
			r.Result = json.RawMessage("{}")
		}
	} else {
		r.Result = nil
		if r.Error == nil {
			r.Error = queue.Errorf(queue.Unavailable, "暂时无法办理 no answer")
		}
	}
	b, err := json.Marshal(r)
	if err != nil { // only a broken stored result can get here
		b, _ = json.Marshal(response{ReqID: reqID, Error: queue.Errorf(queue.Unavailable, "无法编码应答 cannot encode the answer")})
	}
	return b
}
