package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCheckNesting(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		text string
		want int // offset, -1 for none
	}{
		{"flat", "a = [1, 2]\n[t]\nb = { c = 1 }\n", -1},
		{"at the limit", "a = " + deep(maxNesting), -1},
		{"one too deep", "a = " + deep(maxNesting+1), 4 + maxNesting},
		{"inline tables", "a = " + strings.Repeat("{b = ", maxNesting+1), 4 + 5*maxNesting},
		{"in a basic string", `a = "` + deep(100) + `"`, -1},
		{"escaped quote in a string", `a = "\"` + deep(100) + `"`, -1},
		{"in a literal string", `a = '` + deep(100) + `'`, -1},
		{"in a multi-line string", "a = \"\"\"\n" + deep(100) + "\n\"\"\"", -1},
		{"in a multi-line literal", "a = '''" + deep(100) + "'''", -1},
		{"in a comment", "# " + deep(100) + "\n", -1},
		{"after a string", `a = "x" ` + "\nb = " + deep(maxNesting+1), 13 + maxNesting},
		{"table headers do not add up", strings.Repeat("[t]\n", 200), -1},
		{"dotted key at the limit", strings.Repeat("a.", maxNesting) + "a = 1", -1},
		{"dotted key too long", strings.Repeat("a.", maxNesting+1) + "a = 1", 2*maxNesting + 1},
		{"dotted table header too long", "[" + strings.Repeat("a.", maxNesting+1) + "a]", 2*maxNesting + 2},
		{"spaced dotted key", strings.Repeat("a . ", maxNesting+1) + "a = 1", 4*maxNesting + 2},
		{"many floats and times", "a = [" + strings.Repeat("1.5, 07:32:00.25, 1979-05-27T07:32:00.5Z, ", 100) + "]", -1},
		{"many dotted keys in one line", "a = { " + strings.Repeat("b.c = 1, ", 200) + "}", -1},
		{"dots in strings", `a = "` + strings.Repeat(".", 200) + `"`, -1},
		{"unterminated string ends at the line", "a = \"" + "\nb = " + deep(maxNesting+1), 10 + maxNesting},
	}
	for _, tt := range tests {
		if got := checkNesting(tt.text); got != tt.want {
			t.Errorf("%s: checkNesting = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// A deeply nested file is refused quickly (the decoder alone would take minutes) and left alone.
func TestOpenRefusesDeepNesting(t *testing.T) {
	dir := t.TempDir()
	text := "[custom_settings]\nx = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"
	path := writeConfig(t, dir, text)
	_, err := Open(dir, nil, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || pe.Column != 5+maxNesting || !strings.Contains(pe.Reason, "nested more than 64 levels") {
		t.Fatalf("got %v, want a ParseError at 2:%d about nesting", err, 5+maxNesting)
	}
	if !bytes.Equal(readFile(t, path), []byte(text)) {
		t.Error("file was modified")
	}

	ok := "[custom_settings]\nx = " + strings.Repeat("{ a = ", maxNesting) + "1" + strings.Repeat(" }", maxNesting) + "\n"
	writeConfig(t, dir, ok)
	c, err := Open(dir, nil, nil)
	if err != nil {
		t.Fatalf("nesting at the limit refused: %v", err)
	}
	requireCanonical(t, c, "nested at the limit")
}

func TestParseCustomSettingsRefusesDeepNesting(t *testing.T) {
	_, err := ParseCustomSettings("x = " + strings.Repeat("{b = ", 100000) + "1" + strings.Repeat("}", 100000))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Column != 5+5*maxNesting || !strings.Contains(pe.Reason, "nested") {
		t.Fatalf("got %v", err)
	}
}

func TestOpenRefusesLongDottedKeys(t *testing.T) {
	dir := t.TempDir()
	text := "[custom_settings]\n" + strings.Repeat("a.", 5000) + "a = 1\n"
	path := writeConfig(t, dir, text)
	_, err := Open(dir, nil, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Reason, "dotted keys") {
		t.Fatalf("got %v, want a ParseError on line 2 about dotted keys", err)
	}
	if !bytes.Equal(readFile(t, path), []byte(text)) {
		t.Error("file was modified")
	}
}
