package httpapi

import (
	"crypto/rand"
	"net/http"
	"sort"
	"time"

	"github.com/hallq/hallq/queue"
)

// codeAlphabet has no 0/O and no 1/I, so a code read aloud or typed at the
// kiosk is not mistaken (docs/appointments.md).
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// codeLen gives 32^8 = 2^40 codes: unguessable among a hall's bookings.
const codeLen = 8

// newCode makes an appointment code from crypto/rand; 256 is a multiple of
// 32, so every symbol is equally likely.
func newCode() (string, error) {
	b := make([]byte, codeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b), nil
}

type bookReq struct {
	Service string `json:"service"`
	Date    string `json:"date"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Code    string `json:"code"`
}

// book books an appointment (CONTRACT §5) for an integration or a
// supervisor. Without a code hallq makes one.
func (s *Server) book(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireBooker(w, r)
	if !ok {
		return
	}
	var req bookReq
	if qe := decodeBody(r, &req); qe != nil {
		writeErr(w, qe)
		return
	}
	if req.Service == "" || req.Date == "" || req.Start == "" || req.End == "" {
		writeErr(w, queue.Errorf(queue.BadRequest, "缺少 service、date、start 或 end service, date, start and end are required"))
		return
	}
	cmd := queue.BookAppointment{Service: req.Service, Date: req.Date, Start: req.Start, End: req.End, Code: req.Code}
	for try := 0; ; try++ {
		if req.Code == "" {
			code, err := newCode()
			if err != nil {
				writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法生成预约码 cannot make a code: %v", err))
				return
			}
			cmd.Code = code
		}
		rep := s.run(r, p, cmd)
		// a made code that is already booked (1 in 2^40): make another
		if req.Code == "" && try < 3 && rep.Error != nil && rep.Error.Code == queue.InvalidState && !rep.Repeat &&
			s.booked(r, cmd.Code) {
			continue
		}
		if rep.Repeat {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeReply(w, rep)
		return
	}
}

// booked reports whether code is a booking now.
func (s *Server) booked(r *http.Request, code string) bool {
	found := false
	s.h.Query(r.Context(), func(st *queue.State) { found = st.Appointments[queue.NormalizeCode(code)] != nil })
	return found
}

// cancelAppointment cancels a booking (DELETE …/appointments/{code} or POST …/cancel).
func (s *Server) cancelAppointment(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireBooker(w, r)
	if !ok {
		return
	}
	s.do(w, r, p, queue.CancelAppointment{Code: r.PathValue("code")})
}

// appointment shows one booking and where it stands.
func (s *Server) appointment(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireBooker(w, r); !ok {
		return
	}
	var res *queue.BookingResult
	err := s.h.Query(r.Context(), func(st *queue.State) {
		if b := st.Appointments[queue.NormalizeCode(r.PathValue("code"))]; b != nil {
			res = queue.BookingOf(st.Spec, b)
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	if res == nil {
		writeErr(w, queue.Errorf(queue.UnknownAppointment, "预约码不存在 unknown appointment code"))
		return
	}
	writeOK(w, res)
}

// appointments lists a day's bookings (default today) with counts by status,
// missed ones (爽约) included.
func (s *Server) appointments(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireBooker(w, r); !ok {
		return
	}
	sp := s.h.Spec()
	day := r.URL.Query().Get("date")
	if day == "" {
		day = sp.BusinessDay(time.Now())
	}
	if _, err := time.Parse("2006-01-02", day); err != nil {
		writeErr(w, queue.Errorf(queue.BadRequest, "日期格式错误 date must be YYYY-MM-DD"))
		return
	}
	out := struct {
		Date         string                 `json:"date"`
		Counts       map[string]int         `json:"counts"`
		Appointments []*queue.BookingResult `json:"appointments"`
	}{Date: day, Appointments: []*queue.BookingResult{}}
	err := s.h.Query(r.Context(), func(st *queue.State) {
		out.Counts = queue.AppointmentCounts(st, day)
		for _, b := range st.Appointments {
			if b.Day == day {
				out.Appointments = append(out.Appointments, queue.BookingOf(st.Spec, b))
			}
		}
	})
	if err != nil {
		writeErr(w, queue.Errorf(queue.Unavailable, "暂时无法查询 %v", err))
		return
	}
	sort.Slice(out.Appointments, func(i, j int) bool {
		a, b := out.Appointments[i], out.Appointments[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.Code < b.Code
	})
	writeOK(w, out)
}
