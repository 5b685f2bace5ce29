package kiosk

import (
	"bytes"

	"rsc.io/qr"
)

// ESC/POS commands, as in Epson's ESC/POS reference; Chinese thermal
// printers with GB18030/GBK fonts take the same set.
const (
	cmdInit       = "\x1b@"      // ESC @ (1B 40): initialise: clear buffer, reset all modes
	cmdCenter     = "\x1ba\x01"  // ESC a 1 (1B 61 01): centre justification
	cmdBold       = "\x1bE"      // ESC E n (1B 45 n): emphasised (bold) on n=1, off n=0
	cmdSize       = "\x1d!"      // GS ! n (1D 21 n): character size, high nibble width-1, low nibble height-1
	cmdReverse    = "\x1dB"      // GS B n (1D 42 n): white-on-black reverse printing on n=1, off n=0
	cmdChineseOn  = "\x1c&"      // FS & (1C 26): Chinese character mode; bytes >= 0x80 read as GB18030/GBK
	cmdChineseOff = "\x1c."      // FS . (1C 2E): cancel Chinese character mode
	cmdLF         = "\n"         // LF (0A): print the line buffer and feed one line
	cmdFeedLines  = "\x1bd\x03"  // ESC d 3 (1B 64 03): print and feed 3 lines, margin before the cut
	cmdCut        = "\x1dVB\x00" // GS V 66 0 (1D 56 42 00): feed to the cutter (+0 dots) and cut partially

	// QR code: GS ( k pL pH cn fn [params] (1D 28 6B pL pH 31 fn ...);
	// pL+pH*256 counts the bytes after pH, cn=49 (31) selects QR code.
	cmdQRModel2  = "\x1d(k\x04\x001A2\x00" // fn 65 (1D 28 6B 04 00 31 41 32 00): model 2
	cmdQRModule  = "\x1d(k\x03\x001C"      // fn 67 (1D 28 6B 03 00 31 43 n): module size n dots, 1..16
	cmdQRLevelM  = "\x1d(k\x03\x001E1"     // fn 69 (1D 28 6B 03 00 31 45 31): error correction M (30=L 31=M 32=Q 33=H)
	cmdQRStoreFn = "1P0"                   // fn 80 (1D 28 6B pL pH 31 50 30 d1..dk): store k bytes, pL+pH*256 = k+3
	cmdQRPrint   = "\x1d(k\x03\x001Q0"     // fn 81 (1D 28 6B 03 00 31 51 30): print the stored symbol
)

// Character sizes for GS ! n.
const (
	sizeNormal = 0x00
	sizeTall   = 0x01 // double height
	sizeDouble = 0x11 // double width and height
	sizeTriple = 0x22
	sizeQuad   = 0x33
)

// Dots across the printable 72 mm of 80 mm paper at 203 dpi, and the
// largest QR module the ticket uses.
const (
	paperDots    = 576
	maxQRModule  = 6
	quietModules = 8 // 4 white modules each side
)

// rule separates the ticket's sections: a full line of paperCols dashes.
const rule = "------------------------------------------------"

// style is how a block of text is printed; sizes are tried largest first.
type style struct {
	bold, reverse bool
	sizes         []byte
}

// RenderESCPOS renders a layout as ESC/POS bytes for an 80 mm Chinese thermal printer.
func RenderESCPOS(l PrintLayout) []byte {
	var w escWriter
	w.raw(cmdInit)
	w.raw(cmdCenter)

	for i, s := range l.Header {
		w.block(s, firstEmphasised(i))
	}
	w.block(rule, style{})
	w.block(l.Number, style{bold: true, sizes: []byte{sizeQuad, sizeTriple, sizeDouble, sizeNormal}})
	w.block(l.Mark, style{bold: true, reverse: true, sizes: []byte{sizeDouble, sizeTall, sizeNormal}})
	for i, s := range l.Service {
		w.block(s, firstEmphasised(i))
	}
	w.raw(cmdLF)
	for _, s := range l.Lines {
		w.block(s, style{})
	}
	if l.QR != "" && len(l.QR) <= MaxQRBytes {
		w.style(style{})
		w.qr(l.QR)
	}
	w.block(rule, style{})
	for _, s := range l.Footer {
		w.block(s, style{})
	}

	w.style(style{})
	w.raw(cmdFeedLines)
	w.raw(cmdCut)
	return w.buf.Bytes()
}

// firstEmphasised styles the first line of a name bold and as large as fits.
func firstEmphasised(i int) style {
	if i == 0 {
		return style{bold: true, sizes: []byte{sizeDouble, sizeNormal}}
	}
	return style{}
}

// escWriter builds ESC/POS output, sending style commands only on change.
type escWriter struct {
	buf           bytes.Buffer
	bold, reverse bool
	size          byte
}

func (w *escWriter) raw(cmd string) { w.buf.WriteString(cmd) }

// style switches bold, reverse and size to those of st at its first size.
func (w *escWriter) style(st style) {
	size := byte(sizeNormal)
	if len(st.sizes) > 0 {
		size = st.sizes[0]
	}
	w.set(st.bold, st.reverse, size)
}

func (w *escWriter) set(bold, reverse bool, size byte) {
	if bold != w.bold {
		w.raw(cmdBold)
		w.buf.WriteByte(onOff(bold))
		w.bold = bold
	}
	if reverse != w.reverse {
		w.raw(cmdReverse)
		w.buf.WriteByte(onOff(reverse))
		w.reverse = reverse
	}
	if size != w.size {
		w.raw(cmdSize)
		w.buf.WriteByte(size)
		w.size = size
	}
}

// block prints text in the largest size of st that fits a line, wrapping if none does.
func (w *escWriter) block(text string, st style) {
	text = clean(text)
	if text == "" {
		return
	}
	pad := 0
	if st.reverse {
		pad = 2 // a space each side so the reversed band frames the text
	}
	sizes := st.sizes
	if len(sizes) == 0 {
		sizes = []byte{sizeNormal}
	}
	size := sizes[len(sizes)-1]
	for _, s := range sizes {
		if cols(text)+pad <= lineCols(s) {
			size = s
			break
		}
	}
	w.set(st.bold, st.reverse, size)
	for _, line := range wrap(text, lineCols(size)-pad) {
		if pad > 0 {
			line = " " + line + " "
		}
		w.line(line)
	}
}

// line prints one line, in Chinese mode if it has any non-ASCII character.
func (w *escWriter) line(s string) {
	if isASCII(s) {
		w.raw(s)
	} else {
		w.raw(cmdChineseOn)
		w.buf.Write(gb18030(s))
		w.raw(cmdChineseOff)
	}
	w.raw(cmdLF)
}

// qr prints data as a model 2, level M QR code with the printer's own encoder.
func (w *escWriter) qr(data string) {
	w.raw(cmdQRModel2)
	w.raw(cmdQRModule)
	w.buf.WriteByte(qrModule(data))
	w.raw(cmdQRLevelM)
	n := len(data) + 3
	w.raw("\x1d(k")
	w.buf.WriteByte(byte(n))
	w.buf.WriteByte(byte(n >> 8))
	w.raw(cmdQRStoreFn)
	w.raw(data)
	w.raw(cmdQRPrint)
	w.raw(cmdLF)
}

// qrModule picks the largest module size, up to maxQRModule dots, at which
// the symbol and its quiet zone fit the paper.
func qrModule(data string) byte {
	modules := 177 // version 40, the largest
	if c, err := qr.Encode(data, qr.M); err == nil {
		modules = c.Size
	}
	return byte(max(1, min(maxQRModule, paperDots/(modules+quietModules))))
}

// lineCols is how many columns fit a line at GS ! size n.
func lineCols(n byte) int {
	return paperCols / (int(n>>4) + 1)
}

// onOff is the n parameter of a command that turns a mode on (1) or off (0).
func onOff(on bool) byte {
	if on {
		return 1
	}
	return 0
}
