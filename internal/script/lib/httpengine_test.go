package lib

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBuildURL(t *testing.T) {
	tests := []struct{ uri, endpoint, want, err string }{
		{"127.0.0.1:7777", "/", "http://127.0.0.1:7777/", ""},
		{"127.0.0.1:7777", "", "http://127.0.0.1:7777", ""},
		{"127.0.0.1:7777/", "api", "http://127.0.0.1:7777/api", ""},
		{"https://example.com", "/a?b=1", "https://example.com/a?b=1", ""},
		{"", "/", "", "empty uri"},
		{"ftp://x", "/", "", "unsupported scheme"},
	}
	for _, tt := range tests {
		got, err := BuildURL(tt.uri, tt.endpoint)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("BuildURL(%q, %q) error = %v, want %q", tt.uri, tt.endpoint, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("BuildURL(%q, %q) = %q, %v; want %q", tt.uri, tt.endpoint, got, err, tt.want)
		}
	}
}

func TestHTTPClientDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body = zr
		}
		data, _ := io.ReadAll(body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Custom-Echo", r.Header.Get("X-Custom"))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(201)
		_, _ = io.WriteString(w, r.URL.Path+"|"+r.Header.Get("Content-Type")+"|"+string(data))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	c := NewHTTPClient()
	defer c.Close()
	resp := c.Do(context.Background(), HTTPRequest{URI: addr, Endpoint: "/echo", Method: "post", Data: `{"a":1}`,
		ContentType: "application/json", Compress: true, Headers: map[string]string{"X-Custom": "v"}})
	if resp.Err != nil {
		t.Fatal(resp.Err)
	}
	if resp.Status != 201 || resp.Data != `/echo|application/json|{"a":1}` || resp.Headers["X-Method"] != "POST" ||
		resp.Headers["X-Custom-Echo"] != "v" || resp.Headers["Content-Type"] != "text/plain" {
		t.Fatalf("response = %+v", resp)
	}
}

func TestHTTPClientConnectFailure(t *testing.T) {
	// A listener that is closed at once gives a port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := NewHTTPClient()
	defer c.Close()
	resp := c.Do(context.Background(), HTTPRequest{URI: addr, Endpoint: "/"})
	if resp.Status != 0 || resp.Err == nil || !strings.Contains(resp.Data, addr) {
		t.Fatalf("response = %+v, want status 0 with an error naming %s", resp, addr)
	}
}

func TestHTTPClientReadTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewHTTPClient()
	defer c.Close()
	c.SetReadWriteTimeout(100 * time.Millisecond)
	// The handler holds the response for 5 s: only the 100 ms read timeout
	// can make the request fail with a timeout.
	resp := c.Do(context.Background(), HTTPRequest{URI: srv.URL, Endpoint: "/slow"})
	if resp.Status != 0 || resp.Err == nil || !strings.Contains(strings.ToLower(resp.Data), "timeout") {
		t.Fatalf("response = %+v, want a timeout", resp)
	}
}

func TestHTTPClientTimeoutSettings(t *testing.T) {
	// Tests reach only 127.0.0.1, where a connection is refused or accepted
	// at once, so the connect timeout is checked through its setting.
	c := NewHTTPClient()
	defer c.Close()
	if got := time.Duration(c.connectTimeout.Load()); got != DefaultHTTPConnectTimeout {
		t.Errorf("default connect timeout = %v", got)
	}
	c.SetConnectionTimeout(3 * time.Second)
	c.SetReadWriteTimeout(4 * time.Second)
	if got := time.Duration(c.connectTimeout.Load()); got != 3*time.Second {
		t.Errorf("connect timeout = %v, want 3s", got)
	}
	if got := time.Duration(c.rwTimeout.Load()); got != 4*time.Second {
		t.Errorf("read/write timeout = %v, want 4s", got)
	}
	c.SetConnectionTimeout(0)
	c.SetReadWriteTimeout(-1)
	if time.Duration(c.connectTimeout.Load()) != DefaultHTTPConnectTimeout || time.Duration(c.rwTimeout.Load()) != DefaultHTTPReadWriteTimeout {
		t.Error("0 and negative timeouts do not restore the defaults")
	}
}

func TestHTTPClientAsync(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Query().Get("n"))
	}))
	defer srv.Close()
	c := NewHTTPClient()
	var mu sync.Mutex
	got := map[string]bool{}
	const n = 40
	for i := 0; i < n; i++ {
		q := "/?n=" + string(rune('A'+i))
		if err := c.Go(HTTPRequest{URI: srv.URL, Endpoint: q}, func(r HTTPResponse) {
			mu.Lock()
			got[r.Data] = r.Status == 200
			mu.Unlock()
		}); err != nil {
			t.Fatal(err)
		}
	}
	c.Wait()
	c.Close()
	if len(got) != n {
		t.Fatalf("got %d responses, want %d", len(got), n)
	}
	if err := c.Go(HTTPRequest{URI: srv.URL}, func(HTTPResponse) {}); err == nil {
		t.Fatal("Go after Close succeeded, want an error")
	}
}
