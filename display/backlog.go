package display

// backlog holds encoded event messages in seq order without gaps: msgs[i]
// is the message of seq from+1+i. It is what ?since= resumes from.
type backlog struct {
	from int64    // the seq just before msgs[0]
	msgs [][]byte // never changed in place, so slices handed out stay valid
	// priv holds the supervisor stream's message of each restricted seq,
	// whose public message is {"kind":"restricted"} (CONTRACT §3 alerts).
	priv map[int64][]byte
	size int // bytes held: the messages and their slice headers
}

// heldOverhead is what holding one message costs beyond its bytes: its
// slice header in msgs and the allocator's rounding, roughly.
const heldOverhead = 40

// last is the seq of the newest message held, or from when none is.
func (b *backlog) last() int64 { return b.from + int64(len(b.msgs)) }

// reset forgets everything and starts again after seq from.
func (b *backlog) reset(from int64) {
	b.from, b.msgs, b.priv, b.size = from, nil, nil, 0
}

// pushPriv adds the message of seq last()+1 with its supervisor variant.
func (b *backlog) pushPriv(data, priv []byte) {
	if priv != nil {
		if b.priv == nil {
			b.priv = map[int64][]byte{}
		}
		b.priv[b.last()+1] = priv
	}
	b.push(data)
}

// afterFor is after for a stream: the supervisor's gets the restricted
// events in full.
func (b *backlog) afterFor(seq int64, supervisor bool) ([][]byte, bool) {
	msgs, ok := b.after(seq)
	if !ok || !supervisor || len(b.priv) == 0 {
		return msgs, ok
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		if p, found := b.priv[seq+1+int64(i)]; found {
			m = p
		}
		out[i] = m
	}
	return out, true
}

// push adds the message of seq last()+1.
func (b *backlog) push(data []byte) {
	b.msgs = append(b.msgs, data)
	b.size += len(data) + heldOverhead
}

// after returns the messages after seq, if the backlog holds all of them.
// The result is capped so that a later push cannot write into it.
func (b *backlog) after(seq int64) ([][]byte, bool) {
	if seq < b.from || seq > b.last() {
		return nil, false
	}
	i := int(seq - b.from)
	return b.msgs[i:len(b.msgs):len(b.msgs)], true
}

// prepend adds older messages: msgs covers the seqs after from up to b.from.
func (b *backlog) prepend(from int64, msgs [][]byte, priv map[int64][]byte) {
	for seq, p := range priv {
		if b.priv == nil {
			b.priv = map[int64][]byte{}
		}
		b.priv[seq] = p
	}
	all := make([][]byte, 0, len(msgs)+len(b.msgs))
	all = append(append(all, msgs...), b.msgs...)
	for _, m := range msgs {
		b.size += len(m) + heldOverhead
	}
	b.from, b.msgs = from, all
}

// trim keeps at most max messages, dropping the oldest. It copies only once
// the backlog is a quarter over max, so that trimming stays cheap.
func (b *backlog) trim(max int) {
	if len(b.msgs) <= max+max/4 {
		return
	}
	b.drop(len(b.msgs) - max)
}

// trimBytes keeps at most max bytes of messages, dropping the oldest; the
// journal still has them for a screen that resumes from further back
// (Hub.extend). Like trim, it copies only once a quarter over max.
func (b *backlog) trimBytes(max int) {
	if b.size <= max+max/4 {
		return
	}
	drop, size := 0, b.size
	for drop < len(b.msgs) && size > max {
		size -= len(b.msgs[drop]) + heldOverhead
		drop++
	}
	b.drop(drop)
}

// drop forgets the oldest n messages, copying the rest so that the
// dropped ones can be collected.
func (b *backlog) drop(n int) {
	keep := len(b.msgs) - n
	kept := make([][]byte, keep, keep+keep/4+1)
	copy(kept, b.msgs[n:])
	for _, m := range b.msgs[:n] {
		b.size -= len(m) + heldOverhead
	}
	b.from += int64(n)
	b.msgs = kept
	for seq := range b.priv {
		if seq <= b.from {
			delete(b.priv, seq)
		}
	}
}
