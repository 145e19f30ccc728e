package e2etest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBufferConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fmt.Fprintf(&b, "%d\n", i)
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Fatalf("lines = %d, want 800", n)
	}
}

func TestWaitOutput(t *testing.T) {
	var b Buffer
	go func() {
		time.Sleep(30 * time.Millisecond)
		b.Write([]byte("Server started\n"))
	}()
	if err := WaitOutput(&b, "Server started", nil, 5*time.Second); err != nil {
		t.Fatalf("text written later: %v", err)
	}
	exited := make(chan struct{})
	close(exited)
	if err := WaitOutput(&b, "never", exited, 5*time.Second); !errors.Is(err, ErrExited) {
		t.Fatalf("exited process: %v, want ErrExited", err)
	}
	// Output that came with the exit still counts.
	if err := WaitOutput(&b, "started", exited, 5*time.Second); err != nil {
		t.Fatalf("text present at exit: %v", err)
	}
	if err := WaitOutput(&b, "never", nil, 20*time.Millisecond); err == nil || errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "never") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestWaitHTTP(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := WaitHTTP(srv.URL, 5*time.Second); err != nil || calls.Load() != 3 {
		t.Fatalf("WaitHTTP = %v after %d calls, want success on the third", err, calls.Load())
	}
	port, err := FreeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	err = WaitHTTP("http://"+net.JoinHostPort("127.0.0.1", port), 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), port) {
		t.Fatalf("nobody listening: %v", err)
	}
}

func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("building a program is not short")
	}
	dir := t.TempDir()
	if err := Build(dir+string(os.PathSeparator), "github.com/nanoforge/nanoforge/cmd/nanoforge-store"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nanoforge-store")); err != nil {
		t.Fatalf("built program missing: %v", err)
	}
	if err := Build(dir, "github.com/nanoforge/nanoforge/no/such/package"); err == nil || !strings.Contains(err.Error(), "no/such/package") {
		t.Fatalf("building a missing package: %v", err)
	}
	if err := Build(dir); err == nil {
		t.Fatal("Build with no package succeeded")
	}
}
