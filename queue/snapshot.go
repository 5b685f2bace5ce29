package queue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// WriteJSON writes the same bytes as json.Marshal(s), one ticket at a
// time, so that a day of tens of thousands of tickets is never held encoded
// in memory at once: the snapshot of a busy hall streams through it.
func (s *State) WriteJSON(w io.Writer) error {
	rest := *s
	rest.Tickets = map[string]*Ticket{}
	all, err := json.Marshal(&rest)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	const empty = `"tickets":{}`
	i := bytes.Index(all, []byte(empty)) // the first: only scalars come before it
	if i < 0 {
		return fmt.Errorf("encode state: no %s in %.40s…", empty, all)
	}
	if _, err := w.Write(all[:i+len(empty)-1]); err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	ids := make([]string, 0, len(s.Tickets))
	for id := range s.Tickets {
		ids = append(ids, id)
	}
	slices.Sort(ids) // json.Marshal's order
	for n, id := range ids {
		buf.Reset()
		if n > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(id); err != nil {
			return fmt.Errorf("encode ticket %s: %w", id, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(s.Tickets[id]); err != nil {
			return fmt.Errorf("encode ticket %s: %w", id, err)
		}
		buf.Truncate(buf.Len() - 1)
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("encode state: %w", err)
		}
	}
	if _, err := w.Write(all[i+len(empty)-1:]); err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return nil
}
