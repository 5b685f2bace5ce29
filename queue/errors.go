package queue

import "fmt"

// Code is one of the contract's stable error codes (CONTRACT §2 error codes).
type Code string

// The contract's error codes.
const (
	BadRequest         Code = "bad_request"
	Forbidden          Code = "forbidden"
	UnknownService     Code = "unknown_service"
	UnknownTicket      Code = "unknown_ticket"
	ServiceClosed      Code = "service_closed"
	QuotaExhausted     Code = "quota_exhausted"
	DuplicateTicket    Code = "duplicate_ticket"
	UnknownAppointment Code = "unknown_appointment"
	QueueEmpty         Code = "queue_empty"
	CounterClosed      Code = "counter_closed"
	InvalidState       Code = "invalid_state"
	NothingToRate      Code = "nothing_to_rate"
	AlreadyRated       Code = "already_rated"
	Unavailable        Code = "unavailable"
	RateLimited        Code = "rate_limited" // CONTRACT §2 admission (1.1)

	UnknownCase      Code = "unknown_case"      // CONTRACT §5: 404 unknown_*
	UnknownComplaint Code = "unknown_complaint" // 404 like every unknown_*
)

// Error is a refusal with a contract code and a message for people, Chinese first.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// RetryAfterMS is set with rate_limited: wait this long before sending
	// again (CONTRACT §2 admission).
	RetryAfterMS int `json:"retry_after_ms,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
