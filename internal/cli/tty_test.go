package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDevNullAndFilesAreNotTerminals(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if runtime.GOOS == "linux" && isTerminal(null) {
		t.Error("/dev/null taken for a terminal: output redirected there would get progress bars")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file taken for a terminal")
	}
	if isTerminal(struct{}{}) {
		t.Error("a non-file taken for a terminal")
	}
}
