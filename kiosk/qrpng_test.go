package kiosk

import (
	"bytes"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"rsc.io/qr"
)

func TestQRPNG(t *testing.T) {
	const scale = 4
	b, err := QRPNG("http://192.168.1.10:8080/t/20261123-A024", scale)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	// 40 bytes at level M need version 3: 29 modules, plus 4 quiet modules each side.
	if got, want := img.Bounds().Dx(), (29+8)*scale; got != want || img.Bounds().Dy() != want {
		t.Errorf("PNG is %v, want %dx%d", img.Bounds(), want, want)
	}
}

func TestQRPNGEveryScale(t *testing.T) {
	text := "http://192.168.1.10:8080/t/20261123-A024"
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	for scale := 1; scale <= MaxQRScale; scale++ {
		b, err := QRPNG(text, scale)
		if err != nil {
			t.Fatalf("scale %d: %v", scale, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("scale %d: not a PNG: %v", scale, err)
		}
		if got, want := img.Bounds().Dx(), (c.Size+8)*scale; got != want {
			t.Fatalf("scale %d: width %d, want %d", scale, got, want)
		}
		for y := 0; y < c.Size; y++ { // every module, sampled at its centre
			for x := 0; x < c.Size; x++ {
				px := color.GrayModel.Convert(img.At((x+4)*scale+scale/2, (y+4)*scale+scale/2)).(color.Gray)
				if (px.Y == 0) != c.Black(x, y) {
					t.Fatalf("scale %d: module (%d,%d) wrong colour", scale, x, y)
				}
			}
		}
	}
}

func TestQRPNGRejects(t *testing.T) {
	for _, c := range []struct {
		text  string
		scale int
	}{
		{"", 4},
		{strings.Repeat("x", MaxQRBytes+1), 4},
		{"ok", 0},
		{"ok", MaxQRScale + 1},
	} {
		if _, err := QRPNG(c.text, c.scale); err == nil {
			t.Errorf("QRPNG(%d bytes, %d) succeeded", len(c.text), c.scale)
		}
	}
	if _, err := QRPNG(strings.Repeat("\xff", MaxQRBytes), 1); err != nil {
		t.Errorf("QRPNG at MaxQRBytes: %v", err)
	}
}
