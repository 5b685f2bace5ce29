package firmwareconfig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestImages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "firmware")
	im, err := OpenImages(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	img := bytes.Repeat([]byte{7}, 100)
	sum, size, err := im.Put(bytes.NewReader(img))
	want := sha256.Sum256(img)
	if err != nil || sum != hex.EncodeToString(want[:]) || size != 100 {
		t.Fatalf("Put = %s, %d, %v", sum, size, err)
	}
	f, err := im.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, img) {
		t.Fatal("the stored image differs")
	}
	if _, _, err := im.Put(bytes.NewReader(append(img, 1))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("101 bytes of max 100: %v, want ErrTooLarge", err)
	}
	for _, bad := range []string{"", "../" + sum[:61], sum[:63] + "g"} {
		if _, err := im.Open(bad); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files left in the image dir, want the one image (no temp files)", len(entries))
	}
}
