package kiosk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// paperCols is the width of 80 mm paper in font A columns (12 dots each).
const paperCols = 48

// clean makes s safe to print: valid UTF-8, no control or format characters
// (which could smuggle printer commands), whitespace collapsed to single spaces.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// runeCols is the printed width of r: ASCII takes one column; anything else
// is a GB18030 multi-byte character, which the printer draws full width.
func runeCols(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 2
}

// cols is the printed width of s in columns.
func cols(s string) int {
	n := 0
	for _, r := range s {
		n += runeCols(r)
	}
	return n
}

// isASCII reports whether s has only single-byte characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// truncate shortens s to at most max columns, ending it with "…" if cut.
func truncate(s string, max int) string {
	if cols(s) <= max {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		if w+runeCols(r)+2 > max { // leave room for "…", printed full width
			break
		}
		b.WriteRune(r)
		w += runeCols(r)
	}
	return strings.TrimSpace(b.String()) + "…"
}

// wrap breaks s into lines of at most width columns. A bilingual
// "zh / en" line that does not fit is split at " / " first, keeping
// neighbouring parts together on a line while they fit.
func wrap(s string, width int) []string {
	if cols(s) <= width {
		return []string{s}
	}
	var lines []string
	cur, curCols := "", 0
	for _, part := range strings.Split(s, " / ") {
		part = strings.TrimSpace(part)
		pc := cols(part)
		switch {
		case part == "":
		case cur != "" && curCols+3+pc <= width:
			cur += " / " + part
			curCols += 3 + pc
		case pc <= width:
			if cur != "" {
				lines = append(lines, cur)
			}
			cur, curCols = part, pc
		default:
			if cur != "" {
				lines = append(lines, cur)
			}
			lines = append(lines, fill(part, width)...)
			cur, curCols = "", 0
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// fill breaks s greedily at spaces and between Chinese characters, never
// starting a line with closing punctuation, and cuts words longer than a line.
func fill(s string, width int) []string {
	width = max(width, 2)
	var lines []string
	var line strings.Builder
	w := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		w = 0
	}
	for _, tok := range tokens(s) {
		tw := cols(tok)
		if tok == " " {
			if w > 0 && w < width {
				line.WriteByte(' ')
				w++
			}
			continue
		}
		if w+tw > width && w > 0 {
			flush()
		}
		for _, r := range tok { // runs only in full for tokens wider than a line
			if w+runeCols(r) > width {
				flush()
			}
			line.WriteRune(r)
			w += runeCols(r)
		}
	}
	if w > 0 {
		flush()
	}
	return lines
}

// tokens splits s into unbreakable pieces: ASCII words, single spaces and
// single wide characters, with closing punctuation kept on the piece before it.
func tokens(s string) []string {
	var toks []string
	word := -1 // start of the current ASCII word in s, or -1
	for i, r := range s {
		if word >= 0 && (r == ' ' || r >= utf8.RuneSelf) {
			toks = append(toks, s[word:i])
			word = -1
		}
		switch {
		case r == ' ':
			toks = append(toks, " ")
		case r < utf8.RuneSelf:
			if word < 0 {
				word = i
			}
		case strings.ContainsRune(noLineStart, r) && len(toks) > 0 && toks[len(toks)-1] != " ":
			toks[len(toks)-1] += string(r)
		default:
			toks = append(toks, string(r))
		}
	}
	if word >= 0 {
		toks = append(toks, s[word:])
	}
	return toks
}

// noLineStart holds the punctuation that may not begin a line.
const noLineStart = "，。、；：？！）》」』】〕”’…·"

// center pads s on the left to sit in the middle of a paper line.
func center(s string) string {
	pad := (paperCols - cols(s)) / 2
	if pad <= 0 {
		return s
	}
	return strings.Repeat(" ", pad) + s
}
