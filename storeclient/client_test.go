package storeclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestClient(t *testing.T, h http.Handler, token string) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestNewRejectsBadAddresses(t *testing.T) {
	for _, in := range []string{"ftp://x", "127.0.0.1:8080", "http://", "::"} {
		if _, err := New(in, ""); err == nil {
			t.Errorf("New(%q) accepted a non-http address", in)
		}
	}
	c, err := New("", "")
	if err != nil || c.BaseURL() != DefaultURL {
		t.Fatalf("New(\"\") = %v, %v; want the default address", c, err)
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"package", Packages, true}, {"packages", Packages, true}, {"PACKAGE", Packages, true},
		{"assets", Assets, true}, {"asset", Assets, true}, {"server", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseKind(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestProblemDocumentBecomesOneLine(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Token secret" {
			t.Errorf("Authorization = %q", got)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"The token has expired: create a new one at /account/tokens.","errors":[{"message":"expired 2026-01-01","location":"header.Authorization"}]}`)
	}), "secret")
	_, err := c.Me(context.Background())
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("Me error = %T %v; want *Problem", err, err)
	}
	if p.Status != 401 || !IsStatus(err, 401) {
		t.Errorf("status = %d", p.Status)
	}
	msg := err.Error()
	for _, want := range []string{"The token has expired: create a new one at /account/tokens", "header.Authorization: expired 2026-01-01", "401", "GET"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") || strings.Contains(msg, "{") {
		t.Errorf("error is not one clean line: %q", msg)
	}
}

func TestNonProblemErrorIsExplained(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body>bad gateway</body></html>")
	}), "")
	_, err := c.Resolve(context.Background(), ResolveRequest{Packages: []string{"x"}})
	if err == nil || strings.Contains(err.Error(), "<html>") || !strings.Contains(err.Error(), "502") {
		t.Fatalf("error = %v; want an explanation of the 502 without the raw body", err)
	}
}

func TestUnreachableStoreNamesTheURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	c, _ := New(addr, "")
	_, err = c.Me(context.Background())
	var ue *UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("error = %v; want *UnreachableError naming %s", err, addr)
	}
}

func TestResolveSendsTheContractBody(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/api/v1/resolve" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		if got, _ := json.Marshal(body); string(got) != `{"assets":[],"channel":"beta","packages":["a","b@1.0.0"]}` {
			t.Errorf("body = %s", got)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[{"kind":"packages","name":"b","version":"1.0.0","channel":"stable","sha256":"ab","size":3,"download_url":"http://x/d","packages_requirements":[],"assets_requirements":["m"],"requested":true}]}`)
	}), "")
	items, err := c.Resolve(context.Background(), ResolveRequest{Packages: []string{"a", "b@1.0.0"}, Channel: ChannelBeta})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Name != "b" || items[0].Kind != Packages || !items[0].Requested || items[0].AssetsRequirements[0] != "m" {
		t.Fatalf("items = %+v", items)
	}
}

func TestDownloadVerifiesHashAndSize(t *testing.T) {
	payload := []byte("zip bytes of a release")
	sum := sha256.Sum256(payload)
	good := hex.EncodeToString(sum[:])
	var sawToken string
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawToken = r.Header.Get("Authorization")
		w.Write(payload)
	}), "tok")

	var buf bytes.Buffer
	var last int64
	n, err := c.Download(context.Background(), DownloadRequest{URL: srv.URL + "/dl", SHA256: good, Size: int64(len(payload)), Progress: func(x int64) { last = x }}, &buf)
	if err != nil || n != int64(len(payload)) || !bytes.Equal(buf.Bytes(), payload) || last != n {
		t.Fatalf("Download = %d, %v (progress %d)", n, err, last)
	}
	if sawToken != "Token tok" {
		t.Errorf("same-origin download sent Authorization %q", sawToken)
	}

	_, err = c.Download(context.Background(), DownloadRequest{URL: "/dl", SHA256: strings.Repeat("0", 64)}, io.Discard)
	var hm *HashMismatchError
	if !errors.As(err, &hm) || hm.Got != good {
		t.Fatalf("wrong hash: error = %v; want *HashMismatchError", err)
	}
	_, err = c.Download(context.Background(), DownloadRequest{URL: "/dl", Size: 5}, io.Discard)
	var sm *SizeMismatchError
	if !errors.As(err, &sm) {
		t.Fatalf("short size: error = %v; want *SizeMismatchError", err)
	}
}

func TestDownloadNeverSendsTokenElsewhere(t *testing.T) {
	var sawToken string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawToken = r.Header.Get("Authorization")
		io.WriteString(w, "x")
	}))
	defer other.Close()
	c, _ := newTestClient(t, http.NotFoundHandler(), "tok")
	if _, err := c.Download(context.Background(), DownloadRequest{URL: other.URL + "/cdn/file.zip"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if sawToken != "" {
		t.Fatalf("token leaked to another origin: %q", sawToken)
	}
}

func TestUploadStreamsMultipart(t *testing.T) {
	archive := bytes.Repeat([]byte("PK-data-"), 100000)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/store/v1/packages/my-pack/releases" || r.Method != "POST" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if r.ContentLength <= int64(len(archive)) {
			t.Errorf("Content-Length %d not set to the full body", r.ContentLength)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("multipart: %v", err)
			return
		}
		if got := r.FormValue("changelog"); got != "fixed things\nline 2" {
			t.Errorf("changelog = %q", got)
		}
		if r.FormValue("channel") != "Beta" || r.FormValue("publish") != "true" {
			t.Errorf("channel/publish = %q/%q", r.FormValue("channel"), r.FormValue("publish"))
		}
		f, fh, err := r.FormFile("file")
		if err != nil {
			t.Error(err)
			return
		}
		got, _ := io.ReadAll(f)
		if fh.Filename != "release.zip" || !bytes.Equal(got, archive) {
			t.Errorf("file %q: %d bytes, equal=%v", fh.Filename, len(got), bytes.Equal(got, archive))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"resource":{"kind":"packages","name":"my-pack"},"version":"1.2.0","channel":"Beta","state":"published","sha256":"aa","size":800000,"url":"/packages/my-pack/releases/1.2.0"}`)
	}), "tok")
	var sent int64
	res, err := c.Upload(context.Background(), UploadRequest{
		Kind: Packages, Name: "my-pack", File: bytes.NewReader(archive), Size: int64(len(archive)),
		Changelog: "fixed things\nline 2", Channel: "Beta", Publish: true, Progress: func(n int64) { sent = n },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.2.0" || res.State != "published" || sent != int64(len(archive)) {
		t.Fatalf("result %+v, progress %d", res, sent)
	}
	if got := c.ReleasePageURL(res.URL); !strings.HasPrefix(got, c.BaseURL()+"/packages/my-pack") {
		t.Errorf("ReleasePageURL = %q", got)
	}
}

func TestMetadataCallsHaveADefaultDeadline(t *testing.T) {
	ctx, cancel := withDefaultTimeout(context.Background())
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > defaultTimeout {
		t.Fatalf("deadline = %v, %v", d, ok)
	}
}

func TestSearchQueryEncoding(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/search" {
			t.Errorf("path %s", r.URL.Path)
		}
		if got := r.URL.Query().Encode(); got != "kind=packages&page=2&per_page=5&q=battle+royale&sort=downloads" {
			t.Errorf("query %s", got)
		}
		io.WriteString(w, `{"items":[{"name":"br","title":"BR","kind":"packages","short_description":"last one standing","latest_release":{"version":"1.4.0"}},`+
			`{"name":"old","title":"Old","type":"package","latestRelease":{"version":"0.9.0"}},{"name":"none","kind":"assets"}],"total":3,"page":2,"per_page":5}`)
	}), "")
	res, err := c.Search(context.Background(), SearchQuery{Q: "battle royale", Kind: Packages, Sort: "downloads", Page: 2, PerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || len(res.Items) != 3 || res.Items[0].Name != "br" || res.Items[0].Description() != "last one standing" {
		t.Fatalf("result %+v", res)
	}
	// The newest version is found in the API's shape and in the listing shape.
	for i, want := range []string{"1.4.0", "0.9.0", ""} {
		if got := res.Items[i].Version(); got != want {
			t.Errorf("item %s: Version() = %q, want %q", res.Items[i].Name, got, want)
		}
	}
}

func FuzzReadProblem(f *testing.F) {
	f.Add(401, "application/problem+json", `{"title":"Unauthorized","status":401,"detail":"bad token"}`)
	f.Add(422, "application/problem+json", `{"detail":"x","errors":[{"message":"m","location":"body.file","value":{"a":[1,2]}}]}`)
	f.Add(502, "text/html", "<html>")
	f.Add(404, "application/json", `{"detail":`)
	f.Add(500, "application/json", `[]`)
	f.Fuzz(func(t *testing.T, status int, ct, body string) {
		if status < 100 || status > 999 {
			return
		}
		req, _ := http.NewRequest("GET", "http://127.0.0.1:1/x", nil)
		resp := &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(strings.NewReader(body))}
		err := readProblem(req, resp)
		var p *Problem
		if !errors.As(err, &p) || p.Status != status {
			t.Fatalf("readProblem = %v; want a *Problem with status %d", err, status)
		}
		msg := err.Error()
		if msg == "" || !strings.Contains(msg, "store answered") {
			t.Fatalf("message %q", msg)
		}
	})
}

func TestProblemErrorsAreNotRepeated(t *testing.T) {
	p := &Problem{Status: 422, Detail: "version 1.0 is not X.Y.Z", Errors: []ProblemError{{Message: "version 1.0 is not X.Y.Z", Location: "body.file"}, {Message: "name taken"}}}
	msg := p.Error()
	if strings.Count(msg, "not X.Y.Z") != 1 || !strings.Contains(msg, "name taken") {
		t.Fatalf("message %q", msg)
	}
}

// breakingServer serves payload, cutting the first full-body answer in the middle.
func breakingServer(t *testing.T, payload []byte, ranges bool) (*Client, *[]string) {
	var mu sync.Mutex
	var seen []string
	broken := false
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
		first := !broken
		broken = true
		mu.Unlock()
		if first {
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
			w.WriteHeader(200)
			w.Write(payload[:len(payload)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if !ranges {
			w.Write(payload)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "r.zip", time.Time{}, bytes.NewReader(payload))
	}), "")
	return c, &seen
}

func TestDownloadResumesABrokenTransfer(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 64<<10)
	sum := sha256.Sum256(payload)
	c, seen := breakingServer(t, payload, true)
	var buf bytes.Buffer
	n, err := c.Download(context.Background(), DownloadRequest{URL: "/r.zip", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(payload))}, &buf)
	if err != nil || n != int64(len(payload)) || !bytes.Equal(buf.Bytes(), payload) {
		t.Fatalf("Download = %d, %v (got %d bytes)", n, err, buf.Len())
	}
	if len(*seen) != 2 || !strings.HasPrefix((*seen)[1], "bytes=") || !strings.HasSuffix((*seen)[1], `|"v1"`) {
		t.Fatalf("requests = %q; want a resumed Range request guarded by the ETag", *seen)
	}
}

func TestDownloadWithoutRangeSupportFailsCleanly(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 1<<20)
	c, _ := breakingServer(t, payload, false)
	_, err := c.Download(context.Background(), DownloadRequest{URL: "/r.zip", Size: int64(len(payload))}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "could not resume") {
		t.Fatalf("error = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDownloadReportsTheDestinationsError(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("data")) }), "")
	_, err := c.Download(context.Background(), DownloadRequest{URL: "/x"}, failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "saving") {
		t.Fatalf("error = %v", err)
	}
}

func TestUploadOfAShrinkingArchive(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(201)
	}), "tok")
	_, err := c.Upload(context.Background(), UploadRequest{Kind: Packages, Name: "p", File: strings.NewReader("short"), Size: 1000})
	if err == nil {
		t.Fatal("an archive shorter than announced was accepted")
	}
	var ue *UnreachableError
	if errors.As(err, &ue) {
		t.Fatalf("reported as an unreachable Store: %v", err)
	}
}
