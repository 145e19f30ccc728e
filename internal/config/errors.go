package config

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// ParseError reports a Config.toml (or --custom_settings value) that is not valid TOML. A file that
// fails to parse is never rewritten, so the operator's text stays exactly as it was.
type ParseError struct {
	File   string // path of the file, or the parameter the text came from
	Line   int    // 1-based line of the error
	Column int    // 1-based column of the error
	Reason string // what the parser expected or found
	// Context is the offending line with a caret under the column, for operators.
	Context string
}

// Error returns "file:line:column: reason".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Reason)
}

// newParseError converts a decoder error into a ParseError for file. colShift is subtracted from
// columns on the first line, for text that was wrapped before decoding.
func newParseError(err error, file, text string, colShift int) *ParseError {
	var te toml.ParseError
	if !errors.As(err, &te) {
		return &ParseError{File: file, Line: 1, Column: 1, Reason: err.Error()}
	}
	line, col := te.Position.Line, te.Position.Col
	// The decoder strips a byte order mark before counting offsets. Its byte offset is the most
	// reliable part of the position (the line it reports is one too far for errors found at a
	// line break), so line and column are derived from it, the column in characters.
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if strings.HasPrefix(text, bom) {
			text = text[len(bom):]
			break
		}
	}
	if start := te.Position.Start; start >= 0 && start <= len(text) {
		line, col = position(text, start)
	}
	if line < 1 {
		line = 1
	}
	if line == 1 {
		col -= colShift
	}
	if col < 1 {
		col = 1
	}
	pe := &ParseError{File: file, Line: line, Column: col, Reason: te.Message}
	if line == 1 && colShift > 0 && len(text) >= colShift {
		text = text[colShift:]
	}
	pe.Context = contextLine(text, line, col)
	return pe
}

// position converts a byte offset in text into a 1-based line and a 1-based column counted in
// characters.
func position(text string, off int) (line, col int) {
	before := text[:off]
	line = strings.Count(before, "\n") + 1
	col = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// contextLine returns line of text (cut to 200 bytes) with a caret under column col.
func contextLine(text string, line, col int) string {
	for range line - 1 {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return ""
		}
		text = text[i+1:]
	}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	l := strings.TrimRight(text, "\r")
	if len(l) > 200 {
		l = l[:200]
	}
	caret := min(max(col-1, 0), len(l))
	return l + "\n" + strings.Repeat(" ", caret) + "^"
}
