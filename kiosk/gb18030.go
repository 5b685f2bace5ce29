package kiosk

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// gb18030 encodes s for the printer's Chinese mode. GB18030 covers all of
// Unicode, so this only falls back to "?" per character if the encoder
// ever refuses one. The encoded multi-byte sequences never contain a byte
// below 0x30, so they cannot be read as printer commands.
func gb18030(s string) []byte {
	if b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s)); err == nil {
		return b
	}
	out := make([]byte, 0, 2*len(s))
	enc := simplifiedchinese.GB18030.NewEncoder()
	var buf [utf8.UTFMax]byte
	for _, r := range s {
		b, err := enc.Bytes(buf[:utf8.EncodeRune(buf[:], r)])
		if err != nil {
			b = []byte{'?'}
		}
		out = append(out, b...)
	}
	return out
}
