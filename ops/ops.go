// Package ops parses the contract's operations (CONTRACT §2 operations) from
// their JSON arguments into hall commands. Both transports use it: MQTT
// requests from devices and the HTTP API of the web console.
package ops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hallq/hallq/queue"
)

// MaxPayload is the largest request payload carried out (CONTRACT §2).
const MaxPayload = 8 << 10

// MaxReqID is the longest req_id accepted (CONTRACT §2).
const MaxReqID = 64

// byKind lists the ops each device kind may use (CONTRACT §2: a device may
// use only the ops of its kind).
var byKind = map[string]string{
	"ticket.take":     "kiosk",
	"counter.open":    "caller",
	"counter.close":   "caller",
	"counter.pause":   "caller",
	"counter.resume":  "caller",
	"call.next":       "caller",
	"call.recall":     "caller",
	"call.number":     "caller",
	"serve.start":     "caller",
	"serve.finish":    "caller",
	"call.no_show":    "caller",
	"ticket.transfer": "caller",
	"ticket.hold":     "caller",
	"ticket.resume":   "caller",
	"rating.submit":   "rater",
}

// Kind is the device kind that may send op, or "" for an unknown op.
func Kind(op string) string { return byKind[op] }

// CounterOps are the ops a counter's staff may use from the web console.
func CounterOps() []string {
	var out []string
	for op, k := range byKind {
		if k == "caller" {
			out = append(out, op)
		}
	}
	return out
}

// args holds every argument any op takes; pointers tell absent from zero.
type args struct {
	Service         *string         `json:"service"`
	Channel         *string         `json:"channel"`
	AppointmentCode *string         `json:"appointment_code"`
	IDHash          *string         `json:"id_hash"`
	StaffID         *string         `json:"staff_id"`
	Reason          *string         `json:"reason"`
	Number          *string         `json:"number"`
	ToService       *string         `json:"to_service"`
	ToCounter       *string         `json:"to_counter"`
	TicketID        *string         `json:"ticket_id"`
	Level           json.RawMessage `json:"level"`
	Dims            map[string]int  `json:"dims"`
	Case            json.RawMessage `json:"case"`
	Reasons         []string        `json:"reasons"`
	Text            *string         `json:"text"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Parse turns op and its JSON arguments into a command for a device or staff
// member acting for counter (empty for a kiosk). Wrong types and values out of
// range are bad_request.
func Parse(op string, payload []byte, counter string) (queue.Command, *queue.Error) {
	var a args
	if len(bytes.TrimSpace(payload)) > 0 {
		if err := json.Unmarshal(payload, &a); err != nil {
			return nil, queue.Errorf(queue.BadRequest, "参数格式错误 bad arguments for %s: %v", op, shorten(err))
		}
	}
	switch op {
	case "ticket.take":
		if a.Service == nil || *a.Service == "" {
			return nil, queue.Errorf(queue.BadRequest, "缺少业务 service is required")
		}
		return queue.TakeTicket{Service: *a.Service, Channel: str(a.Channel), AppointmentCode: str(a.AppointmentCode), IDHash: str(a.IDHash)}, nil
	case "counter.open":
		return queue.OpenCounter{Counter: counter, StaffID: str(a.StaffID)}, nil
	case "counter.close":
		return queue.CloseCounter{Counter: counter}, nil
	case "counter.pause":
		return queue.PauseCounter{Counter: counter, Reason: str(a.Reason)}, nil
	case "counter.resume":
		return queue.ResumeCounter{Counter: counter}, nil
	case "call.next":
		return queue.CallNext{Counter: counter}, nil
	case "call.recall":
		return queue.Recall{Counter: counter}, nil
	case "call.number":
		if a.Number == nil || *a.Number == "" {
			return nil, queue.Errorf(queue.BadRequest, "缺少号码 number is required")
		}
		return queue.CallNumber{Counter: counter, Number: *a.Number}, nil
	case "serve.start":
		return queue.StartServing{Counter: counter}, nil
	case "serve.finish":
		c, err := parseCase(a.Case)
		if err != nil {
			return nil, err
		}
		return queue.Finish{Counter: counter, Case: c}, nil
	case "call.no_show":
		return queue.MarkNoShow{Counter: counter}, nil
	case "ticket.transfer":
		return queue.Transfer{Counter: counter, ToService: str(a.ToService), ToCounter: str(a.ToCounter)}, nil
	case "ticket.hold":
		return queue.Hold{Counter: counter, Reason: str(a.Reason)}, nil
	case "ticket.resume":
		return queue.ResumeHeld{Counter: counter}, nil
	case "rating.submit":
		level, err := parseLevel(a.Level)
		if err != nil {
			return nil, err
		}
		return queue.SubmitRating{Counter: counter, TicketID: str(a.TicketID), Level: level, Dims: a.Dims,
			Reasons: a.Reasons, Text: str(a.Text)}, nil
	}
	return nil, queue.Errorf(queue.BadRequest, "未知操作 unknown op %q", op)
}

// parseLevel accepts only the integers 1-5 (CONTRACT §2 rating.submit).
func parseLevel(raw json.RawMessage) (int, *queue.Error) {
	var level int
	if len(raw) == 0 || json.Unmarshal(raw, &level) != nil || strings.ContainsAny(string(raw), ".eE") || level < 1 || level > 5 {
		return 0, queue.Errorf(queue.BadRequest, "评价等级须为 1-5 的整数 level must be an integer 1-5")
	}
	return level, nil
}

func shorten(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return fmt.Sprint(s)
}
