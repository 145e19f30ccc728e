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
