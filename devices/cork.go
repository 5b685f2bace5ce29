package devices

import "sync"

// maxCorked bounds what one connection gathers while corked or while its
// gathered bytes are being written; a write beyond it waits, which keeps
// mochi's per-device backpressure (its outbound queue) working.
const maxCorked = 1 << 20

// cork gathers a connection's writes while the publisher puts out one
// batch (retained counter and service state, announcements, responses), so
// that each device gets the batch in one system call instead of one per
// message: a call goes to all 36 hall screens of a large hall, and each of
// them would otherwise take a write (and answer with a separately read
// PUBACK) per message. The gathered bytes are written by a goroutine of
// the connection's own, so a slow device holds up only itself, and in
// order: while they are being written, later writes are gathered behind them.
type cork struct {
	mu       sync.Mutex
	cond     sync.Cond // signalled when a flush ends or shrinks buf
	corked   bool
	flushing bool
	buf      []byte
	spare    []byte // the buffer last written, reused
	err      error  // the flush's write error, returned to later writes
	wmu      sync.Mutex
}

// write is Write of a connection with this cork: direct when nothing is
// gathered, else gathered.
func (k *cork) write(conn interface{ Write([]byte) (int, error) }, p []byte) (int, error) {
	k.mu.Lock()
	if !k.corked && !k.flushing && len(k.buf) == 0 && k.err == nil {
		k.mu.Unlock()
		k.wmu.Lock()
		defer k.wmu.Unlock()
		return conn.Write(p)
	}
	if k.cond.L == nil {
		k.cond.L = &k.mu
	}
	for len(k.buf) > maxCorked && k.flushing && k.err == nil {
		k.cond.Wait()
	}
	defer k.mu.Unlock()
	if k.err != nil {
		return 0, k.err
	}
	k.buf = append(k.buf, p...)
	return len(p), nil
}

// on starts gathering.
func (k *cork) on() {
	k.mu.Lock()
	k.corked = true
	k.mu.Unlock()
}

// off stops gathering and has what was gathered written.
func (k *cork) off(conn interface{ Write([]byte) (int, error) }) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.corked = false
	if len(k.buf) > 0 && !k.flushing {
		k.flushing = true
		go k.flush(conn)
	}
}

// flush writes the gathered bytes until none are left.
func (k *cork) flush(conn interface{ Write([]byte) (int, error) }) {
	k.mu.Lock()
	if k.cond.L == nil {
		k.cond.L = &k.mu
	}
	for len(k.buf) > 0 && k.err == nil && !k.corked {
		data := k.buf
		k.buf, k.spare = k.spare[:0], nil
		k.cond.Broadcast()
		k.mu.Unlock()
		k.wmu.Lock()
		_, err := conn.Write(data)
		k.wmu.Unlock()
		k.mu.Lock()
		if err != nil {
			k.err, k.buf = err, nil
		} else if cap(data) <= 64<<10 {
			k.spare = data[:0]
		}
	}
	k.flushing = false
	k.cond.Broadcast()
	k.mu.Unlock()
}
