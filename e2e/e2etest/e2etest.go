// Package e2etest holds what the end-to-end tests share: building the programs, free loopback
// ports, a process output buffer that can be read while the process writes, and bounded waits
// for a line of output or for an HTTP service to answer.
package e2etest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buffer collects a process's output; it may be read (String) while the process writes.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p; it never fails.
func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Build compiles the given packages with `go build -o out`. For several packages out must be a
// folder ending in a path separator; each program is then named after its package. The compiler's
// output is part of the error.
func Build(out string, pkgs ...string) error {
	if len(pkgs) == 0 {
		return errors.New("e2etest.Build: no package given")
	}
	cmd := exec.Command("go", append([]string{"build", "-o", out}, pkgs...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s %s: %v\n%s", out, strings.Join(pkgs, " "), err, b)
	}
	return nil
}

// FreeTCPPort returns a loopback TCP port nobody listens on right now. Another process may
// take it before the caller binds it, so callers that can should retry on "address in use".
func FreeTCPPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("e2etest: pick a free loopback port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// ErrExited is returned by WaitOutput when the process ended before printing the text.
var ErrExited = errors.New("the process exited before printing it")

// WaitOutput polls out until it contains s. It gives up with ErrExited once exited is closed
// (nil means the process is not watched) and with an error after limit.
func WaitOutput(out fmt.Stringer, s string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if strings.Contains(out.String(), s) {
			return nil
		}
		select {
		case <-exited:
			// The last output may have arrived together with the exit.
			if strings.Contains(out.String(), s) {
				return nil
			}
			return fmt.Errorf("waiting for %q: %w", s, ErrExited)
		case <-deadline.C:
			return fmt.Errorf("%q did not appear within %s", s, limit)
		case <-tick.C:
		}
	}
}

// WaitHTTP polls url with GET until it answers 200 OK, for at most limit; the error then names
// the last failure.
func WaitHTTP(url string, limit time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(limit)
	var last error
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		if time.Now().After(deadline) {
			return fmt.Errorf("GET %s did not answer 200 within %s: %w", url, limit, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
