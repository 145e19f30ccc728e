package lib

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{` true `, true},
		{`false`, false},
		{`0`, int64(0)},
		{`-12`, int64(-12)},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`9223372036854775808`, float64(9223372036854775808)},
		{`1.5`, 1.5},
		{`1.0`, 1.0},
		{`-2e3`, -2000.0},
		{`1E-2`, 0.01},
		{`"a\"b\\c\/d\n\t\r\b\f"`, "a\"b\\c/d\n\t\r\b\f"},
		{`"\u00e9\u4e2d"`, "é中"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83d"`, "\uFFFD"},
		{`"héllo"`, "héllo"},
		{`[]`, []any{}},
		{`[1, "x", [null]]`, []any{int64(1), "x", []any{nil}}},
		{`{}`, Object{}},
		{`{"b": 1, "a": {"c": [true]}}`, Object{{"b", int64(1)}, {"a", Object{{"c", []any{true}}}}}},
	}
	for _, tt := range tests {
		got, err := ParseJSON(tt.in)
		if err != nil {
			t.Errorf("ParseJSON(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseJSON(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		in       string
		msg      string
		line     int
		col      int
		offset   int
		contains string
	}{
		{in: ``, line: 1, col: 1, offset: 0, contains: "end of input"},
		{in: `{"a" 1}`, line: 1, col: 6, offset: 5, contains: "expected ':'"},
		{in: "[1,\n  2,\n  x]", line: 3, col: 3, offset: 11, contains: "expected a value"},
		{in: `[1 2]`, line: 1, col: 4, offset: 3, contains: "expected ',' or ']'"},
		{in: `[1, 2`, line: 1, col: 6, offset: 5, contains: "end of input, expected ',' or ']'"},
		{in: `{"a":1 "b":2}`, line: 1, col: 8, offset: 7, contains: "expected ',' or '}'"},
		{in: `{"a":1`, line: 1, col: 7, offset: 6, contains: "end of input, expected ',' or '}'"},
		{in: `"abc`, line: 1, col: 5, offset: 4, contains: "unterminated string"},
		{in: `01`, line: 1, col: 2, offset: 1, contains: "after the value"},
		{in: `1.`, line: 1, col: 3, offset: 2, contains: "digit after '.'"},
		{in: `"\x"`, line: 1, col: 3, offset: 2, contains: "invalid escape"},
		{in: `"\u12"`, line: 1, col: 4, offset: 3, contains: "4 hex digits"},
		{in: "\"a\x01\"", line: 1, col: 3, offset: 2, contains: "control character"},
		{in: `{"a":1,}`, line: 1, col: 8, offset: 7, contains: "expected a string key"},
		{in: `nul`, line: 1, col: 1, offset: 0, contains: "expected a value"},
		{in: `{} x`, line: 1, col: 4, offset: 3, contains: "after the value"},
	}
	for _, tt := range tests {
		_, err := ParseJSON(tt.in)
		var se *JSONSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseJSON(%q) error = %v, want a JSONSyntaxError", tt.in, err)
			continue
		}
		if se.Line != tt.line || se.Column != tt.col || se.Offset != tt.offset || !strings.Contains(se.Msg, tt.contains) {
			t.Errorf("ParseJSON(%q) = %v (line %d col %d off %d), want line %d col %d off %d containing %q",
				tt.in, se, se.Line, se.Column, se.Offset, tt.line, tt.col, tt.offset, tt.contains)
		}
	}
}

func TestParseJSONDepthLimit(t *testing.T) {
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	if _, err := ParseJSON(deep); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Fatalf("ParseJSON(too deep) error = %v, want a nesting error", err)
	}
	ok := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
	if _, err := ParseJSON(ok); err != nil {
		t.Fatalf("ParseJSON(at the limit) = %v", err)
	}
}

func TestEncodeJSON(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{int64(-3), `-3`},
		{1.5, `1.5`},
		{2.0, `2.0`},
		{1e21, `1e+21`},
		{"a\"\\\n\x01é", `"a\"\\\n\u0001é"`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""},
		{[]any{int64(1), nil, "x"}, `[1,null,"x"]`},
		{Object{{"b", int64(2)}, {"a", Object{}}}, `{"a":{},"b":2}`},
		{[]any{}, `[]`},
	}
	for _, tt := range tests {
		got, err := EncodeJSON(tt.in)
		if err != nil {
			t.Errorf("EncodeJSON(%#v): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("EncodeJSON(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), struct{}{}} {
		if _, err := EncodeJSON(bad); err == nil {
			t.Errorf("EncodeJSON(%#v) succeeded, want an error", bad)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := `{"arr":[1,2.5,"three",false,null],"nested":{"k":"v","n":-1},"u":"\u00e9"}`
	v, err := ParseJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	if out != `{"arr":[1,2.5,"three",false,null],"nested":{"k":"v","n":-1},"u":"é"}` {
		t.Fatalf("round trip = %s", out)
	}
}

func FuzzJSONParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, `-0.5e10`, `[`, `{"a":}`, `"\u"`, `1e999`, `[[[[]]]]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseJSON(s)
		if err != nil {
			var se *JSONSyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("ParseJSON(%q): bad error %#v", s, err)
			}
			return
		}
		// Whatever parses must encode, and the encoding must parse again
		// to an equal value (floats that are integral may come back as int64).
		out, err := EncodeJSON(v)
		if err != nil {
			return // e.g. 1e999 parses to +Inf, which JSON cannot encode
		}
		v2, err := ParseJSON(out)
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", out, s, err)
		}
		out2, err := EncodeJSON(v2)
		if err != nil || out2 != out {
			t.Fatalf("encoding not stable: %q then %q (%v)", out, out2, err)
		}
	})
}
