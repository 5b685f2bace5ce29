package report

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// rollupFormat is the first byte of an encoded day: a rollup of another
// format is not used (it is settled again).
const rollupFormat = 1

// errRollup is a rollup that cannot be decoded.
var errRollup = errors.New("report: damaged day rollup")

// encodeDay is cells as bytes, in (key, service) order: counts as varints,
// the sorted waits as a first value and gaps.
func encodeDay(cells []*cell) []byte {
	sort.Slice(cells, func(i, j int) bool {
		if cells[i].key != cells[j].key {
			return cells[i].key < cells[j].key
		}
		return cells[i].service < cells[j].service
	})
	b := []byte{rollupFormat}
	b = binary.AppendUvarint(b, uint64(len(cells)))
	for _, c := range cells {
		b = appendString(b, c.key)
		b = appendString(b, c.service)
		for _, n := range c.counts() {
			b = binary.AppendUvarint(b, uint64(*n))
		}
		b = binary.AppendVarint(b, c.svcSum)
		b = binary.AppendUvarint(b, uint64(len(c.waits)))
		prev := int64(0)
		for i, w := range c.waits {
			if i == 0 {
				b = binary.AppendVarint(b, w)
			} else {
				b = binary.AppendUvarint(b, uint64(w-prev))
			}
			prev = w
		}
		dates := make([]string, 0, len(c.promised))
		for d := range c.promised {
			dates = append(dates, d)
		}
		sort.Strings(dates)
		b = binary.AppendUvarint(b, uint64(len(dates)))
		for _, d := range dates {
			b = appendString(b, d)
			b = binary.AppendUvarint(b, uint64(c.promised[d]))
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeDay is the cells encodeDay wrote; any damage is errRollup.
func decodeDay(b []byte) ([]*cell, error) {
	d := decoder{b: b}
	if len(b) == 0 || b[0] != rollupFormat {
		return nil, fmt.Errorf("%w: format %v", errRollup, b[:min(1, len(b))])
	}
	d.b = b[1:]
	n := d.count(4)
	cells := make([]*cell, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		c := &cell{key: d.string(), service: d.string()}
		for _, p := range c.counts() {
			*p = d.count(0)
		}
		c.svcSum = d.varint()
		if nw := d.count(1); nw > 0 {
			c.waits = make([]int64, nw)
			c.waits[0] = d.varint()
			for k := 1; k < nw; k++ {
				gap := d.uvarint()
				if gap > 1<<62 {
					d.fail()
				}
				c.waits[k] = c.waits[k-1] + int64(gap)
			}
		}
		if np := d.count(2); np > 0 {
			c.promised = make(map[string]int, np)
			for k := 0; k < np; k++ {
				c.promised[d.string()] = d.count(0)
			}
		}
		cells = append(cells, c)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err != nil {
		return nil, d.err
	}
	return cells, nil
}

// decoder reads varints and strings, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errRollup
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count is a length or count; with minBytes > 0 it must fit in what is left
// at minBytes a item, so damage cannot make a huge allocation.
func (d *decoder) count(minBytes int) int {
	v := d.uvarint()
	if v > 1<<31 || (minBytes > 0 && v > uint64(len(d.b)/minBytes)+1) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.count(0)
	if n > len(d.b) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
