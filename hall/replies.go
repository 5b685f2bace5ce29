package hall

import (
	"hash/maphash"
	"time"
)

// replyIndex is the writer's index of the idempotency records in the
// journal: a 64-bit hash of each (source, req_id) answered within the
// retention, and when. The responses themselves stay in the journal, the
// one record of every answer, and are read back on a repeat; a hash that
// two keys share is told apart there, so the index is exact. It costs
// about 20 bytes a record where the bodies cost hundreds.
type replyIndex struct {
	seed maphash.Seed
	at   map[uint64]int64 // unix seconds
}

func newReplyIndex() *replyIndex {
	return &replyIndex{seed: maphash.MakeSeed(), at: map[uint64]int64{}}
}

// key hashes (source, reqID).
func (x *replyIndex) key(source, reqID string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(reqID)
	return h.Sum64()
}

// has reports whether some record may be keyed k.
func (x *replyIndex) has(k uint64) bool {
	_, ok := x.at[k]
	return ok
}

// add notes a record keyed k answered at t and reports whether k is new to
// the index (only a new key may be forgotten again when its batch fails).
func (x *replyIndex) add(k uint64, t time.Time) bool {
	_, seen := x.at[k]
	x.at[k] = t.Unix()
	return !seen
}

// forget drops k.
func (x *replyIndex) forget(k uint64) { delete(x.at, k) }

// prune drops the keys answered before cutoff.
func (x *replyIndex) prune(cutoff time.Time) {
	c := cutoff.Unix()
	for k, at := range x.at {
		if at < c {
			delete(x.at, k)
		}
	}
}

// len is the number of keys.
func (x *replyIndex) len() int { return len(x.at) }
