package config

import (
	"fmt"
	"strings"
)

// maxNesting bounds how deeply arrays and inline tables may nest, and how many parts a dotted key
// may have, in Config.toml and --custom_settings. The decoder's time grows with the square of
// either, so a few kilobytes of brackets or dots could stall a start; no real configuration comes
// near the limit.
const maxNesting = 64

// checkNesting returns the byte offset in text where arrays and inline tables nest deeper than
// maxNesting, or where a dotted key has more than maxNesting parts, or -1. Brackets and dots inside
// strings and comments do not count, nor do dots between two digits (floats, times). Everything
// else is left to the decoder, so text that is not TOML may pass.
func checkNesting(text string) int {
	depth, dots := 0, 0
	isDigit := func(i int) bool { return i >= 0 && i < len(text) && text[i] >= '0' && text[i] <= '9' }
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			dots = 0
		case '"', '\'':
			if closer := strings.Repeat(string(c), 3); strings.HasPrefix(text[i:], closer) {
				i += 3
				for i < len(text) && !strings.HasPrefix(text[i:], closer) {
					if c == '"' && text[i] == '\\' {
						i++
					}
					i++
				}
				i += 2 // on the closer's last quote
				continue
			}
			for i++; i < len(text) && text[i] != c && text[i] != '\n'; i++ {
				if c == '"' && text[i] == '\\' {
					i++
				}
			}
		case '.':
			if isDigit(i-1) && isDigit(i+1) {
				continue
			}
			if dots++; dots > maxNesting {
				return i
			}
		case '[', '{':
			if depth++; depth > maxNesting {
				return i
			}
			dots = 0
		case ']', '}':
			if depth > 0 {
				depth--
			}
			dots = 0
		case '\n', ',', '=':
			dots = 0
		}
	}
	return -1
}

// nestingError reports text nested too deeply at byte offset off.
func nestingError(file, text string, off int) *ParseError {
	line, col := position(text, off)
	return &ParseError{
		File: file, Line: line, Column: col,
		Reason:  fmt.Sprintf("arrays, tables or dotted keys are nested more than %d levels deep: flatten them", maxNesting),
		Context: contextLine(text, line, col),
	}
}
