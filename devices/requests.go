package devices

import (
	"context"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/hallq/hallq/hall"
	"github.com/hallq/hallq/ops"
	"github.com/hallq/hallq/queue"
)

// boundKind reports whether a device kind acts for one counter (CONTRACT §2).
func boundKind(kind string) bool {
	return kind == "caller" || kind == "counter_display" || kind == "rater"
}

// deviceQueue is one device's waiting requests. A device's requests are
// carried out one at a time, in the order it sent them, so that a device
// may send counter.open and call.next without waiting in between; requests
// of different devices run concurrently and share the hall's group commits.
type deviceQueue struct {
	limit   *bucket
	jobs    [][]byte
	running bool
}

// requests takes dev/{id}/req messages to the hall and answers on
// dev/{id}/res (CONTRACT §2 requests and responses).
type requests struct {
	hall     *hall.Hall
	spec     *queue.Spec
	memo     *memo
	refusals *refusals // nil = refusals are remembered only while hallqd runs
	respond  func(device string, body []byte) error
	log      zerolog.Logger
	metrics  *metrics
	clock    func() time.Time // wall clock for rate limits and the memo
	rate     float64
	burst    int
	timeout  time.Duration
	ctx      context.Context

	mu      sync.Mutex
	devs    map[string]*deviceQueue
	closing bool
	wg      sync.WaitGroup
}

// add queues one request of device, or drops it if the device is over its
// rate or has too many waiting (CONTRACT §2: a flooding device cannot
// starve others; what is dropped is not carried out and not answered).
func (r *requests) add(device string, payload []byte) {
	d := r.spec.Devices[device]
	if d == nil {
		return
	}
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return
	}
	q := r.devs[device]
	if q == nil {
		q = &deviceQueue{limit: newBucket(r.rate, r.burst, now)}
		r.devs[device] = q
	}
	if !q.limit.allow(now) {
		r.metrics.dropped("rate_limited")
		return
	}
	if len(q.jobs) >= maxQueued {
		r.metrics.dropped("queue_full")
		return
	}
	q.jobs = append(q.jobs, append([]byte(nil), payload...))
	if !q.running {
		q.running = true
		r.wg.Add(1)
		go r.drain(device, q)
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
		r.handle(*r.spec.Devices[device], job)
	}
}

// handle carries out one request and publishes its response.
func (r *requests) handle(d queue.DeviceSpec, payload []byte) {
	req, qerr := DecodeRequest(payload)
	if !req.HasReqID { // CONTRACT §2: nobody to answer
		r.metrics.dropped("no_req_id")
		r.log.Debug().Str("device", d.ID).Int("bytes", len(payload)).Msg("request without a readable req_id dropped")
		return
	}
	var cmd queue.Command
	if qerr == nil {
		cmd, qerr = gate(d, req)
	}
	key := memoKey{d.ID, req.ReqID}
	if req.ReqID != "" {
		if body, ok := r.memo.get(key); ok { // CONTRACT §2 idempotency
			r.send(d.ID, req.Op, "repeat", body)
			return
		}
	}
	if qerr != nil {
		body := encodeResponse(req.ReqID, hall.Reply{Error: qerr})
		if req.ReqID != "" && utf8.RuneCountInString(req.ReqID) <= ops.MaxReqID {
			now := r.clock()
			if r.refusals != nil {
				if err := r.refusals.add(d.ID, req.ReqID, now, body); err != nil { // durable before it is told
					r.log.Error().Err(err).Str("device", d.ID).Msg("cannot record a refused request")
					r.send(d.ID, req.Op, string(queue.Unavailable), encodeResponse(req.ReqID,
						hall.Reply{Error: queue.Errorf(queue.Unavailable, "暂时无法办理，请稍后再试 cannot record the request now")}))
					return
				}
			}
			body = r.memo.put(key, body, now, now)
		}
		r.send(d.ID, req.Op, string(qerr.Code), body)
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	rep := r.hall.Do(ctx, hall.Request{Source: Source(d.ID), ReqID: req.ReqID, Cmd: cmd})
	cancel()
	body := encodeResponse(req.ReqID, rep)
	if rep.OK || rep.Error == nil || rep.Error.Code != queue.Unavailable { // unavailable was not recorded: a retry is carried out
		body = r.memo.put(key, body, r.clock(), r.clock())
	}
	result := "ok"
	if !rep.OK && rep.Error != nil {
		result = string(rep.Error.Code)
	}
	r.send(d.ID, req.Op, result, body)
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

// close stops taking requests and waits for the queued ones to be answered.
func (r *requests) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	r.wg.Wait()
}
