package kiosk

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"rsc.io/qr"
)

// MaxQRScale is the largest pixels-per-module scale QRPNG accepts.
const MaxQRScale = 32

// QRPNG returns a PNG of text as a level M QR code, scale pixels per module with a 4-module quiet zone.
func QRPNG(text string, scale int) ([]byte, error) {
	switch {
	case text == "":
		return nil, errors.New("kiosk: empty QR text")
	case len(text) > MaxQRBytes:
		return nil, fmt.Errorf("kiosk: QR text is %d bytes, more than %d", len(text), MaxQRBytes)
	case scale < 1 || scale > MaxQRScale:
		return nil, fmt.Errorf("kiosk: QR scale %d outside 1..%d", scale, MaxQRScale)
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("kiosk: encode QR: %w", err)
	}
	// Not c.PNG() nor c.Image(): in rsc.io/qr v0.2.0 the first panics at
	// scale 1 ("invalid flate repeat") and the second ignores Scale and the
	// quiet zone in At, so the image is drawn here from the modules.
	var b bytes.Buffer
	if err := png.Encode(&b, qrImage(c, scale)); err != nil {
		return nil, fmt.Errorf("kiosk: encode PNG: %w", err)
	}
	return b.Bytes(), nil
}

// qrImage draws c black on white, scale pixels per module, with a
// 4-module quiet zone; two colours make a 1-bit PNG.
func qrImage(c *qr.Code, scale int) *image.Paletted {
	const quiet = 4
	side := (c.Size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if c.Black(x/scale-quiet, y/scale-quiet) { // Black is false outside the code
				img.Pix[y*img.Stride+x] = 1
			}
		}
	}
	return img
}
