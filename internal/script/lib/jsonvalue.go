package lib

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Member is one key and value of an Object.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object or TOML table with its keys in document order.
// Lua tables have no order, so the order only matters for output, where
// the encoders sort keys to keep output stable.
type Object []Member

// The value model shared by the JSON and TOML engines and the Lua
// conversion: nil, bool, int64, float64, string, []any and Object.

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack.
const maxJSONDepth = 512

// JSONSyntaxError is a parse failure with its position in the input.
type JSONSyntaxError struct {
	Msg    string
	Offset int // byte offset, 0-based
	Line   int // 1-based
	Column int // 1-based, in bytes
}

// Error formats the message with its line, column and byte offset.
func (e *JSONSyntaxError) Error() string {
	return fmt.Sprintf("JSON.parse: %s at line %d, column %d (byte %d)", e.Msg, e.Line, e.Column, e.Offset)
}

type jsonParser struct {
	s     string
	i     int
	depth int
}

// ParseJSON decodes one JSON value. Integers that fit in 64 bits become
// int64 (Lua integers), other numbers float64; objects become Object.
func ParseJSON(s string) (any, error) {
	p := &jsonParser{s: s}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return nil, p.errorf("unexpected %s after the value", p.describe())
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	line, col := 1, 1
	for j := 0; j < p.i && j < len(p.s); j++ {
		if p.s[j] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &JSONSyntaxError{Msg: fmt.Sprintf(format, args...), Offset: p.i, Line: line, Column: col}
}

func (p *jsonParser) describe() string {
	if p.i >= len(p.s) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", p.s[p.i])
	}
	return strconv.QuoteRune(r)
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end of input, expected a value")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, nil
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, nil
	}
	return nil, p.errorf("unexpected %s, expected a value", p.describe())
}

func (p *jsonParser) enter() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return p.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	return nil
}

func (p *jsonParser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // {
	obj := Object{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errorf("unexpected %s, expected a string key", p.describe())
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after key %q", p.describe(), k)
		}
		p.i++
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		obj = append(obj, Member{Key: k, Value: v})
		done, err := p.next('}')
		if err != nil {
			return nil, err
		}
		if done {
			return obj, nil
		}
	}
}

// next reads what follows an element of an object or array: ',' when another element
// follows, or close, which ends the container (done).
func (p *jsonParser) next(close byte) (done bool, err error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return false, p.errorf("unexpected end of input, expected ',' or '%c'", close)
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return false, nil
	case close:
		p.i++
		p.depth--
		return true, nil
	}
	return false, p.errorf("unexpected %s, expected ',' or '%c'", p.describe(), close)
}

func (p *jsonParser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // [
	arr := []any{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return arr, nil
	}
	for {
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		done, err := p.next(']')
		if err != nil {
			return nil, err
		}
		if done {
			return arr, nil
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.errorf("invalid number: expected a digit")
	}
	isFloat := false
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		isFloat = true
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		isFloat = true
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	text := p.s[start:p.i]
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		p.i = start
		return nil, p.errorf("invalid number %q", text)
	}
	return f, nil
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character 0x%02x in string: escape it", c)
		}
		p.i++
	}
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", p.errorf("control character 0x%02x in string: escape it", c)
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		// escape
		if p.i+1 >= len(p.s) {
			p.i++
			return "", p.errorf("unexpected end of input in string escape")
		}
		e := p.s[p.i+1]
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(p.s[p.i+2:])
			if !ok {
				p.i += 2
				return "", p.errorf("invalid \\u escape: expected 4 hex digits")
			}
			p.i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(strings.TrimPrefix(p.s[p.i:], `\u`)); ok && strings.HasPrefix(p.s[p.i:], `\u`) {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						p.i += 6
						b.WriteRune(dec)
						continue
					}
				}
				r = utf8.RuneError // lone surrogate
			}
			b.WriteRune(r)
			continue
		default:
			p.i++
			return "", p.errorf("invalid escape '\\%c' in string", e)
		}
		p.i += 2
	}
	return "", p.errorf("unexpected end of input, unterminated string")
}

// EncodeJSON writes v as compact JSON. Object keys are sorted so equal
// tables always give equal text. NaN and infinities cannot be represented
// and are errors; invalid UTF-8 in strings becomes U+FFFD.
func EncodeJSON(v any) (string, error) {
	var b strings.Builder
	if err := encodeJSON(&b, v, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func encodeJSON(b *strings.Builder, v any, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("JSON.stringify: nesting deeper than %d levels (is there a cycle?)", maxJSONDepth)
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("JSON.stringify: cannot encode number %v (JSON has no NaN or infinity)", x)
		}
		b.WriteString(formatJSONFloat(x))
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeJSON(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Object:
		sortMembers(x)
		b.WriteByte('{')
		for i, m := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, m.Key)
			b.WriteByte(':')
			if err := encodeJSON(b, m.Value, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("JSON.stringify: cannot encode a value of Go type %T", v)
	}
	return nil
}

// formatJSONFloat keeps a fractional part on integral floats so that a
// Lua float survives a round trip as a float.
func formatJSONFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

const hexDigits = "0123456789abcdef"

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString("\uFFFD")
			i++
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// sortMembers orders keys so output does not depend on Lua's table order.
func sortMembers(o Object) {
	slices.SortFunc(o, func(a, b Member) int { return strings.Compare(a.Key, b.Key) })
}
