package config

import (
	"bytes"
	"os"
	"testing"
)

// The default configuration renders byte-for-byte as the official template.
func TestRenderDefaultIsTemplate(t *testing.T) {
	want, err := os.ReadFile("testdata/template.toml")
	if err != nil {
		t.Fatal(err)
	}
	got := Render(Default())
	if !bytes.Equal(got, want) {
		t.Errorf("Render(Default()) differs from testdata/template.toml\n--- got\n%s\n--- want\n%s", got, want)
	}
}
