package lib

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTOML(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"", Object{}},
		{"b = 1\na = \"x\"\n", Object{{"b", int64(1)}, {"a", "x"}}},
		{"f = 1.5\nt = true\narr = [1, 2, 3]\n", Object{{"f", 1.5}, {"t", true}, {"arr", []any{int64(1), int64(2), int64(3)}}}},
		{"[meta]\ntitle = \"T\"\n[meta.sub]\nk = 2\n", Object{{"meta", Object{{"title", "T"}, {"sub", Object{{"k", int64(2)}}}}}}},
		{"[[p]]\nn = 1\n[[p]]\nn = 2\n", Object{{"p", []any{Object{{"n", int64(1)}}, Object{{"n", int64(2)}}}}}},
		{"d = 1979-05-27T07:32:00Z\n", Object{{"d", "1979-05-27T07:32:00Z"}}},
		{"d = 1979-05-27\n", Object{{"d", "1979-05-27"}}},
		{"\"quoted key\" = 1\n", Object{{"quoted key", int64(1)}}},
		{"inline = { x = 1, y = 2 }\n", Object{{"inline", Object{{"x", int64(1)}, {"y", int64(2)}}}}},
		{"crlf = 1\r\n", Object{{"crlf", int64(1)}}},
	}
	for _, tt := range tests {
		got, err := ParseTOML(tt.in)
		if err != nil {
			t.Errorf("ParseTOML(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTOML(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseTOMLErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a = ", "line 1"},
		{"a = 1\nb = [1,\n", "line 2"},
		{"a = 1\na = 2\n", "line 2"},
		{"[t]\nx=1\n[t]\n", "line 3"},
	}
	for _, tt := range tests {
		_, err := ParseTOML(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "TOML.Parse:") {
			t.Errorf("ParseTOML(%q) error = %v, want one mentioning %q", tt.in, err, tt.want)
		}
	}
}

func TestEncodeTOML(t *testing.T) {
	v := Object{
		{"name", "srv"},
		{"port", int64(7777)},
		{"ratio", 0.5},
		{"tags", []any{"a", "b"}},
		{"meta", Object{{"title", "T"}}},
	}
	out, err := EncodeTOML(v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseTOML(out)
	if err != nil {
		t.Fatalf("re-parse of %q: %v", out, err)
	}
	m := map[string]any{}
	for _, mem := range back.(Object) {
		m[mem.Key] = mem.Value
	}
	if m["name"] != "srv" || m["port"] != int64(7777) || m["ratio"] != 0.5 ||
		!reflect.DeepEqual(m["tags"], []any{"a", "b"}) || !reflect.DeepEqual(m["meta"], Object{{"title", "T"}}) {
		t.Fatalf("round trip of %q gave %#v", out, back)
	}
	if _, err := EncodeTOML("x"); err == nil {
		t.Error("EncodeTOML(string) succeeded, want an error")
	}
	if _, err := EncodeTOML(Object{{"a", []any{int64(1), nil}}}); err == nil || !strings.Contains(err.Error(), "a[2]") {
		t.Errorf("EncodeTOML(array with nil) error = %v, want one naming a[2]", err)
	}
}

func FuzzTOMLParse(f *testing.F) {
	for _, s := range []string{"a = 1\n", "[t]\nx = [1, 2]\n", "[[a]]\n", "a = {b = 1}\n", "x = 1979-05-27T07:32:00Z", "a = \"\\u00e9\"", "= 1", "[a.b.c]\nd = 'e'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTOML(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "TOML.Parse:") {
				t.Fatalf("ParseTOML(%q) error without prefix: %v", s, err)
			}
			return
		}
		if _, ok := v.(Object); !ok {
			t.Fatalf("ParseTOML(%q) = %T, want Object", s, v)
		}
		// A parsed document must encode again.
		if _, err := EncodeTOML(v); err != nil {
			t.Fatalf("EncodeTOML of parsed %q: %v", s, err)
		}
	})
}
