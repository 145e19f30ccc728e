package cli

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestFolderLockKeepsTwoCLIsApart(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("advisory locks are not used on this system")
	}
	old := lockWait
	t.Cleanup(func() { lockWait = old })
	lockPath := filepath.Join(t.TempDir(), "Packages", LockFileName)

	var out1, out2 bytes.Buffer
	first := &session{out: &out1}
	second := &session{out: &out2}
	held, err := first.lockFolder(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	lockWait = 300 * time.Millisecond
	if _, err := second.lockFolder(lockPath); err == nil || !strings.Contains(err.Error(), "another nanoforge CLI") {
		t.Fatalf("second lock while held: %v", err)
	}
	if !strings.Contains(out2.String(), "Waiting for another nanoforge CLI") {
		t.Errorf("no waiting notice: %q", out2.String())
	}

	// A waiting CLI proceeds as soon as the first one finishes.
	lockWait = 10 * time.Second
	go func() {
		time.Sleep(200 * time.Millisecond)
		held.unlock()
	}()
	got, err := second.lockFolder(lockPath)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	got.unlock()
}
