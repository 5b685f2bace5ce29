package devices

import (
	"context"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/admission"
	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/ops"
	"github.com/hallq/hallq/queue"
)

// boundKind reports whether a device kind acts for one counter (CONTRACT §2).
func boundKind(kind string) bool {
	return kind == "caller" || kind == "counter_display" || kind == "rater"
}

// deviceQueue is one device's requests in flight. A device's requests are
// carried out one at a time, in the order it sent them, so that a device
// may send counter.open and call.next without waiting in between; requests
// of different devices run concurrently and share the hall's group commits.
type deviceQueue struct {
	limit    *admission.Bucket
	jobs     [][]byte
	inflight int // queued plus the one being carried out
	running  bool

	refusals []refusal // rate_limited answers waiting for their record
	refusing bool
	records  *admission.Bucket // rate_limited answers this device may still have recorded
	drained  *sync.Cond        // signalled when refusals are taken for recording
}

// refusal is one request answered rate_limited.
type refusal struct {
	reqID, op  string
	retry      time.Duration
	unrecorded bool
}

// requests takes dev/{id}/req messages to the hall and answers on
// dev/{id}/res (CONTRACT §2 requests and responses, admission).
type requests struct {
	hall    *hall.Hall
	spec    *queue.Spec
	respond func(device string, body []byte) error
	log     zerolog.Logger
	metrics *metrics
	clock   func() time.Time // wall clock for the sustained rate
	rate    float64
	burst   int
	timeout time.Duration
	ctx     context.Context

	// block makes a flooding device's own publishing wait while it has
	// maxPendingRefusals answers waiting (the embedded broker: add runs on
	// that device's connection); with an external broker add runs on the
	// one goroutine shared by all devices and never waits.
	block bool
	// green caps a kiosk's green-channel tickets (shared with HTTP); nil = no cap.
	green *admission.GreenCap

	mu      sync.Mutex
	devs    map[string]*deviceQueue
	closing bool
	wg      sync.WaitGroup
}

// add admits one request of device or answers it rate_limited (CONTRACT §2
// admission): every request whose req_id can be read gets exactly one
// answer; a refused one is not carried out, and its answer is recorded like
// any other (the hall's requests table) without waiting behind the device's
// queue, so a flooding device delays nobody but itself.
func (r *requests) add(device string, payload []byte) {
	d := r.spec.Devices[device]
	if d == nil {
		return
	}
	now := r.clock()
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		r.refuseClosing(device, payload)
		return
	}
	q := r.devs[device]
	if q == nil {
		q = &deviceQueue{limit: admission.NewBucket(r.rate, r.burst, now),
			records: admission.NewBucket(recordedRefusalsPerSec, recordedRefusalsBurst, now)}
		q.drained = sync.NewCond(&r.mu)
		r.devs[device] = q
	}
	ok, retry := admission.Admit(q.inflight, q.limit, now)
	if ok {
		q.inflight++
		q.jobs = append(q.jobs, append([]byte(nil), payload...))
		if !q.running {
			q.running = true
			r.wg.Add(1)
			go r.drain(device, q)
		}
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	req, _ := DecodeRequest(payload)
	if !req.HasReqID { // CONTRACT §2: nobody to answer
		r.metrics.dropped("no_req_id")
		return
	}
	r.metrics.limited()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.block && len(q.refusals) >= maxPendingRefusals && !r.closing {
		q.drained.Wait() // back-pressure on the flooding connection only
	}
	if r.closing { // close is waiting: no new goroutine of the wait group now
		go r.send(device, req.Op, string(queue.Unavailable), closingAnswer(req.ReqID))
		return
	}
	f := refusal{reqID: req.ReqID, op: req.Op, retry: retry}
	if ok, _ := q.records.Allow(now); !ok {
		f.unrecorded = true // a sustained flood: answered, not remembered (bounded memory)
	}
	q.refusals = append(q.refusals, f)
	if !q.refusing {
		q.refusing = true
		r.wg.Add(1)
		go r.refuse(device, q)
	}
}

// drain carries out a device's requests until none is waiting.
func (r *requests) drain(device string, q *deviceQueue) {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			r.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		r.mu.Unlock()
		op, result, body, answer := r.handle(*r.spec.Devices[device], job)
		r.mu.Lock()
		q.inflight-- // before the answer: the device's next request finds it answered
		r.mu.Unlock()
		if answer {
			r.send(device, op, result, body)
		}
	}
}

// refuse records and sends the device's rate_limited answers, all waiting
// ones at a time so that they share one group commit.
func (r *requests) refuse(device string, q *deviceQueue) {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		batch := q.refusals
		q.refusals = nil
		q.drained.Broadcast()
		if len(batch) == 0 {
			q.refusing = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		reqs := make([]hall.Request, 0, len(batch))
		var ops []string
		var unrecorded []refusal
		for _, f := range batch {
			if !recordable(f.reqID) || f.unrecorded {
				unrecorded = append(unrecorded, f)
				continue
			}
			reqs = append(reqs, hall.Request{Source: Source(device), ReqID: f.reqID, Refusal: admission.RateLimited(f.retry)})
			ops = append(ops, f.op)
		}
		var reps []hall.Reply
		if len(reqs) > 0 {
			ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
			reps = r.hall.Refuse(ctx, reqs)
			cancel()
		}
		for i, rep := range reps {
			result := string(queue.RateLimited)
			if rep.Repeat {
				result = "repeat"
			} else if rep.Error != nil {
				result = string(rep.Error.Code)
			}
			r.send(device, ops[i], result, encodeResponse(reqs[i].ReqID, rep))
		}
		for _, f := range unrecorded {
			r.send(device, f.op, string(queue.RateLimited), encodeResponse(f.reqID, hall.Reply{Error: admission.RateLimited(f.retry)}))
		}
	}
}

// refuseClosing answers a request that arrives while hallqd stops:
// unavailable, not recorded, so that a retry after the restart is carried out.
func (r *requests) refuseClosing(device string, payload []byte) {
	req, _ := DecodeRequest(payload)
	if !req.HasReqID {
		return
	}
	r.send(device, req.Op, string(queue.Unavailable), closingAnswer(req.ReqID))
}

// closingAnswer is the answer to a request that arrives while hallqd stops.
func closingAnswer(reqID string) []byte {
	return encodeResponse(reqID, hall.Reply{Error: queue.Errorf(queue.Unavailable, "正在停止服务，请稍后再试 hallqd is stopping; retry shortly")})
}

// handle carries out one request and returns its answer; answer is false
// when nobody can be answered.
func (r *requests) handle(d queue.DeviceSpec, payload []byte) (op, result string, body []byte, answer bool) {
	req, qerr := DecodeRequest(payload)
	if !req.HasReqID { // CONTRACT §2: nobody to answer
		r.metrics.dropped("no_req_id")
		r.log.Debug().Str("device", d.ID).Int("bytes", len(payload)).Msg("request without a readable req_id dropped")
		return "", "", nil, false
	}
	var cmd queue.Command
	if qerr == nil {
		cmd, qerr = gate(d, req)
	}
	undo := func() {}
	if tt, ok := cmd.(queue.TakeTicket); ok && qerr == nil && tt.Channel == "green" {
		undo, qerr = r.green.Take(d.ID) // docs/robustness.md: green tickets per kiosk per minute
	}
	var ok bool
	op, result, body, ok = r.answer(d.ID, req.ReqID, req.Op, cmd, qerr)
	if !ok && undo != nil {
		undo()
	}
	return op, result, body, true
}

// answer asks the hall to carry out cmd, or to record the refusal qerr, for
// (device, reqID) and encodes the reply; ok says whether cmd was carried out
// now. The hall keeps the one record of
// every answer: a repeated req_id gets the first answer, whichever way it is
// refused or carried out now (CONTRACT §2 idempotency).
func (r *requests) answer(device, reqID, op string, cmd queue.Command, qerr *queue.Error) (string, string, []byte, bool) {
	if qerr != nil && !recordable(reqID) { // too long or empty to be a key: answered, not recorded
		return op, string(qerr.Code), encodeResponse(reqID, hall.Reply{Error: qerr}), false
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	rep := r.hall.Do(ctx, hall.Request{Source: Source(device), ReqID: reqID, Cmd: cmd, Refusal: qerr})
	cancel()
	result := "ok"
	switch {
	case rep.Repeat:
		result = "repeat"
	case !rep.OK && rep.Error != nil:
		result = string(rep.Error.Code)
	}
	return op, result, encodeResponse(reqID, rep), rep.OK && !rep.Repeat
}

// recordable reports whether reqID can key an idempotency record.
func recordable(reqID string) bool {
	return reqID != "" && utf8.RuneCountInString(reqID) <= ops.MaxReqID
}

func (r *requests) send(device, op, result string, body []byte) {
	r.metrics.request(op, result)
	if err := r.respond(device, body); err != nil {
		r.log.Warn().Err(err).Str("device", device).Msg("response not published; the device will retry its req_id")
	}
}

// Source is the hall request source of a device, which scopes its req_ids.
func Source(device string) string { return "dev:" + device }

// gate checks that the device may use the op and parses its arguments: an
// unknown op or bad arguments are bad_request, another kind's op forbidden,
// and bound devices act for their counter (CONTRACT §2 operations).
func gate(d queue.DeviceSpec, req Request) (queue.Command, *queue.Error) {
	kind := ops.Kind(req.Op)
	if kind == "" {
		return nil, queue.Errorf(queue.BadRequest, "未知操作 unknown op %q", clip(req.Op, 40))
	}
	if kind != d.Kind {
		return nil, queue.Errorf(queue.Forbidden, "此设备不能执行 %s a %s may not use %s", req.Op, d.Kind, req.Op)
	}
	counter := ""
	if boundKind(d.Kind) {
		counter = d.Counter
	}
	return ops.Parse(req.Op, req.Body, counter)
}

// close stops taking requests and waits for the admitted ones to be answered.
func (r *requests) close() {
	r.mu.Lock()
	r.closing = true
	for _, q := range r.devs {
		q.drained.Broadcast()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
