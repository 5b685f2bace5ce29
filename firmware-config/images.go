package firmwareconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrTooLarge is an image over the configured size limit.
var ErrTooLarge = errors.New("firmware image too large")

// DefaultMaxImageBytes is firmware.max_image_bytes when not set.
const DefaultMaxImageBytes = 64 << 20

// Images keeps uploaded firmware images under {storage.dir}/firmware, each
// in a file named by its sha256. Content addressing makes a store safe
// before the journal records it: a file nobody names is never served.
type Images struct {
	dir string
	max int64
}

// OpenImages opens (and creates) the image directory; max bounds one image.
func OpenImages(dir string, max int64) (*Images, error) {
	if max <= 0 {
		max = DefaultMaxImageBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("firmware image dir: %w", err)
	}
	return &Images{dir: dir, max: max}, nil
}

// Max is the largest image accepted, in bytes.
func (im *Images) Max() int64 { return im.max }

// Put stores the image read from r and returns its sha256 (hex) and size.
// The file is synced before Put returns.
func (im *Images) Put(r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(im.dir, "upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("store firmware image: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, im.max+1))
	if err != nil {
		return "", 0, fmt.Errorf("read firmware image: %w", err)
	}
	if size > im.max {
		return "", 0, ErrTooLarge
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("sync firmware image: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("close firmware image: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err = os.Rename(tmp.Name(), im.path(sum)); err != nil {
		return "", 0, fmt.Errorf("store firmware image: %w", err)
	}
	if d, derr := os.Open(im.dir); derr == nil { // the rename survives a power cut
		d.Sync()
		d.Close()
	}
	return sum, size, nil
}

// Open opens the image with this sha256.
func (im *Images) Open(sum string) (*os.File, error) {
	if len(sum) != 64 {
		return nil, os.ErrNotExist
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, os.ErrNotExist
	}
	return os.Open(im.path(sum))
}

func (im *Images) path(sum string) string { return filepath.Join(im.dir, sum+".bin") }
