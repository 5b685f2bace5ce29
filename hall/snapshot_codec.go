package hall

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/hallq/hallq/queue"
)

// encodeSnapshot is the state as stored in the journal's snapshots: its
// JSON, gzip-compressed as it streams out (queue.State.WriteJSON), so that
// neither the encoding nor its growth is held in memory. A busy day's
// 15 MB of JSON keeps as about a tenth of that.
func encodeSnapshot(st *queue.State, sizeHint int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := st.WriteJSON(zw); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeSnapshot reads a snapshot into st: gzip-compressed JSON, or the
// plain JSON that journals written before compression hold.
func decodeSnapshot(data []byte, st *queue.State) error {
	var r io.Reader = bytes.NewReader(data)
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		r = zr
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(st); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if _, err := io.Copy(io.Discard, io.MultiReader(dec.Buffered(), r)); err != nil {
		return fmt.Errorf("snapshot: %w", err) // gzip checks its checksum at the end
	}
	return nil
}
