package config

import (
	"fmt"
	"strings"
)

// maxNesting bounds how deeply arrays and inline tables may nest in Config.toml and
// --custom_settings. The decoder's time grows with the square of the depth, so a few kilobytes of
// brackets could stall a start; no real configuration comes near the limit.
const maxNesting = 64

// checkNesting returns the byte offset in text where arrays and inline tables nest deeper than
// maxNesting, or -1. Brackets inside strings and comments do not count. Everything else is left
// to the decoder, so text that is not TOML may pass.
func checkNesting(text string) int {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
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
		case '[', '{':
			if depth++; depth > maxNesting {
				return i
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return -1
}

// nestingError reports text nested too deeply at byte offset off.
func nestingError(file, text string, off int) *ParseError {
	line, col := position(text, off)
	return &ParseError{
		File: file, Line: line, Column: col,
		Reason:  fmt.Sprintf("arrays and tables are nested more than %d levels deep: flatten them", maxNesting),
		Context: contextLine(text, line, col),
	}
}
