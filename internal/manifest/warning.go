package manifest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Warning is a non-fatal finding: an unknown or deprecated key, a value that
// was replaced by a default, a miscased folder. Line is 0 when the finding is
// not tied to a line (for example a folder-layout warning).
type Warning struct {
	File    string // file or folder the warning is about
	Line    int    // 1-based line, 0 when unknown
	Key     string // dotted key ("game_mode.compatible_maps"), may be empty
	Message string // what is wrong and how to fix it
}

// String renders "Package.toml:3: game_mode.foo: unknown key ...".
func (w Warning) String() string {
	return located(w.File, w.Line, 0, w.Key, w.Message)
}

// located renders "file:line:column: key: text", leaving out a line or column of 0 and an empty
// key, so that warnings and errors point at a place the same way.
func located(file string, line, column int, key, text string) string {
	var b strings.Builder
	b.WriteString(file)
	if line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(line))
		if column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(column))
		}
	}
	b.WriteString(": ")
	if key != "" {
		b.WriteString(key)
		b.WriteString(": ")
	}
	b.WriteString(text)
	return b.String()
}

// ParseError is a fatal problem in a descriptor file: invalid TOML, a known
// key with the wrong type, or a shape no generation accepts.
type ParseError struct {
	File   string
	Line   int // 1-based, 0 when unknown
	Column int // 1-based, 0 when unknown
	Key    string
	Reason string
}

// Error renders "Package.toml:3:7: key: reason".
func (e *ParseError) Error() string {
	return located(e.File, e.Line, e.Column, e.Key, e.Reason)
}

// decodeTOML decodes data and turns a TOML syntax error into a *ParseError
// with the file name and position.
func decodeTOML(data []byte, file string) (map[string]any, toml.MetaData, error) {
	var m map[string]any
	md, err := toml.Decode(string(data), &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			reason := pe.Message
			if pe.LastKey != "" {
				reason = fmt.Sprintf("%s (after key %q)", reason, pe.LastKey)
			}
			return nil, md, &ParseError{File: file, Line: pe.Position.Line, Column: pe.Position.Col, Reason: "invalid TOML: " + reason}
		}
		return nil, md, &ParseError{File: file, Reason: "invalid TOML: " + err.Error()}
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, md, nil
}

// keyLines maps dotted key paths to the 1-based line and column where they
// are defined. BurntSushi/toml keeps key positions private, so this is a
// light line scanner: it follows [table] headers and "key =" lines, which is
// all warnings and type errors need. Keys it cannot place get line 0.
type keyLines map[string][2]int

func locateKeys(data []byte) keyLines {
	out := keyLines{}
	table := ""
	inMultiline := ""
	text := strings.TrimPrefix(string(data), "\ufeff") // editors on Windows add a BOM
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, "\r")
		if inMultiline != "" {
			if strings.Contains(line, inMultiline) {
				inMultiline = ""
			}
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		col := len(line) - len(trimmed) + 1
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if trimmed[0] == '[' {
			h := strings.TrimPrefix(trimmed, "[")
			h = strings.TrimPrefix(h, "[")
			end := strings.IndexByte(h, ']')
			if end < 0 {
				continue
			}
			table = joinKey(splitDotted(h[:end]))
			if _, ok := out[table]; !ok {
				out[table] = [2]int{i + 1, col}
			}
			continue
		}
		eq := strings.IndexByte(trimmed, '=')
		if eq <= 0 {
			continue
		}
		parts := splitDotted(trimmed[:eq])
		if len(parts) == 0 {
			continue
		}
		full := joinKey(parts)
		if table != "" {
			full = table + "." + full
		}
		if _, ok := out[full]; !ok {
			out[full] = [2]int{i + 1, col}
		}
		rest := trimmed[eq+1:]
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(rest, q)%2 == 1 {
				inMultiline = q
			}
		}
	}
	return out
}

// splitDotted splits a TOML key such as `a. "b.c" .d` into its pieces; it
// returns nil when the text does not look like a key.
func splitDotted(s string) []string {
	var parts []string
	s = strings.TrimSpace(s)
	for s != "" {
		var piece string
		switch s[0] {
		case '"', '\'':
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return nil
			}
			piece = s[1 : end+1]
			s = strings.TrimSpace(s[end+2:])
		default:
			end := strings.IndexAny(s, ". \t")
			if end < 0 {
				end = len(s)
			}
			piece = s[:end]
			if !isBareKey(piece) {
				return nil
			}
			s = strings.TrimSpace(s[end:])
		}
		parts = append(parts, piece)
		if s == "" {
			break
		}
		if s[0] != '.' {
			return nil
		}
		s = strings.TrimSpace(s[1:])
	}
	return parts
}

func joinKey(parts []string) string { return strings.Join(parts, ".") }

// isBareKey reports whether s can be written as a TOML bare key.
func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// issues collects warnings and the first error of one file.
type issues struct {
	file  string
	lines keyLines
	warns []Warning
	err   error
}

func (s *issues) line(key string) int { return s.lines.find(key)[0] }

// find returns the position of key, or of the first key below it (a table
// written with dotted keys), or of its nearest located parent.
func (k keyLines) find(key string) [2]int {
	if pos, ok := k[key]; ok {
		return pos
	}
	var best [2]int
	for other, pos := range k {
		if strings.HasPrefix(other, key+".") && (best[0] == 0 || pos[0] < best[0]) {
			best = pos
		}
	}
	if best[0] != 0 {
		return best
	}
	for i := strings.LastIndexByte(key, '.'); i > 0; i = strings.LastIndexByte(key, '.') {
		key = key[:i]
		if pos, ok := k[key]; ok {
			return pos
		}
	}
	return [2]int{}
}

func (s *issues) warn(key, format string, args ...any) {
	s.warns = append(s.warns, Warning{File: s.file, Line: s.line(key), Key: key, Message: fmt.Sprintf(format, args...)})
}

func (s *issues) fail(key, format string, args ...any) {
	if s.err != nil {
		return
	}
	pos := s.lines.find(key)
	s.err = &ParseError{File: s.file, Line: pos[0], Column: pos[1], Key: key, Reason: fmt.Sprintf(format, args...)}
}
