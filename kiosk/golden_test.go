package kiosk

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const goldenChanged = "ticket layout changed: rerun with -update and review the diff"

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./kiosk -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %s\n%s", path, goldenChanged, firstDiff(got, want))
	}
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-16)
	return fmt.Sprintf("first difference at byte %d (got %d bytes, want %d)\ngot:  % x\nwant: % x",
		i, len(got), len(want), got[from:min(len(got), i+16)], want[from:min(len(want), i+16)])
}

func TestGoldenESCPOS(t *testing.T) {
	golden(t, "a024.escpos", RenderESCPOS(Layout(a024(t))))
}

func TestGoldenText(t *testing.T) {
	golden(t, "a024.txt", []byte(RenderText(Layout(a024(t)))))
}
