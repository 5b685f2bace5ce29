package evalpush

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// cursorFile keeps the seq of the last event delivered (or skipped), written
// atomically: a temp file, fsync, rename, fsync of the directory.
type cursorFile struct{ path string }

type cursorState struct {
	Seq int64  `json:"seq"`
	URL string `json:"url"` // the endpoint it was delivered to
}

func (c cursorFile) load() (cursorState, error) {
	var st cursorState
	b, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read push cursor: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("decode push cursor %s: %w", c.path, err)
	}
	return st, nil
}

func (c cursorFile) save(st cursorState) error {
	b, _ := json.Marshal(st)
	tmp := c.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write push cursor: %w", err)
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, c.path)
	}
	if err != nil {
		return fmt.Errorf("write push cursor: %w", err)
	}
	if d, err := os.Open(filepath.Dir(c.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
