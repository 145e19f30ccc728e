package storeclient

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
)

// HashMismatchError reports a download whose content does not match the SHA-256 the Store
// announced: the file was corrupted or altered on the way and must not be installed.
type HashMismatchError struct {
	URL      string
	Expected string
	Got      string
}

// Error names both digests and says nothing was installed.
func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("download from %s is corrupt: SHA-256 %s, the Store announced %s; nothing was installed from it, try again or check any proxy between you and the Store", e.URL, e.Got, e.Expected)
}

// SizeMismatchError reports a download whose length differs from the announced size.
type SizeMismatchError struct {
	URL      string
	Expected int64
	Got      int64
}

// Error names both sizes.
func (e *SizeMismatchError) Error() string {
	return fmt.Sprintf("download from %s has %d bytes, the Store announced %d; try again", e.URL, e.Got, e.Expected)
}

// DownloadRequest says what to fetch and what the bytes must hash to.
type DownloadRequest struct {
	// URL is absolute (a resolve item's download_url) or a path below the Store address.
	URL string
	// SHA256 is the expected lower-case hex digest; empty skips the check.
	SHA256 string
	// Size is the expected length in bytes; 0 skips the check. More bytes than Size are never read.
	Size int64
	// Progress, when set, is called with the number of bytes received so far.
	Progress func(received int64)
}

// downloadAttempts bounds how often a broken transfer is resumed.
const downloadAttempts = 3

// Download streams a release archive into w and verifies its SHA-256 and size. A connection
// that breaks mid-transfer is resumed with a Range request (the Store's ETag guards against the
// file changing in between). The token is sent only when the URL is on the Store's own origin,
// never to a third-party CDN.
func (c *Client) Download(ctx context.Context, dr DownloadRequest, w io.Writer) (int64, error) {
	target, err := c.base.Parse(dr.URL)
	if err != nil {
		return 0, fmt.Errorf("download address %q is not a URL: %w", dr.URL, err)
	}
	where := target.Redacted()
	h := sha256.New()
	dst := &recordingWriter{w: w}
	out := io.MultiWriter(dst, h, &progressWriter{fn: dr.Progress})
	var n int64
	var etag string
	for attempt := 1; ; attempt++ {
		req, err := c.newRequest(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return n, err
		}
		req.Header.Set("Accept", "application/zip, application/octet-stream, application/problem+json")
		if n > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", n))
			if etag != "" {
				req.Header.Set("If-Range", etag)
			}
		}
		resp, err := c.do(req)
		if err != nil {
			return n, err
		}
		if n > 0 && resp.StatusCode != http.StatusPartialContent {
			resp.Body.Close()
			return n, fmt.Errorf("downloading %s: the connection broke after %d bytes and the server could not resume (it answered %s); try again", where, n, resp.Status)
		}
		if n == 0 {
			etag = resp.Header.Get("ETag")
		}
		var body io.Reader = resp.Body
		if dr.Size > 0 {
			body = io.LimitReader(body, dr.Size+1-n) // one extra byte detects an over-long answer
		}
		m, cerr := io.Copy(out, body)
		resp.Body.Close()
		n += m
		if cerr == nil {
			break
		}
		if dst.err != nil {
			return n, fmt.Errorf("saving the download of %s: %w", where, dst.err)
		}
		if ctx.Err() != nil {
			return n, fmt.Errorf("downloading %s: %w", where, ctx.Err())
		}
		if attempt >= downloadAttempts {
			return n, fmt.Errorf("downloading %s: %w after %d bytes and %d attempts; check the connection and try again", where, cerr, n, attempt)
		}
		if m == 0 && n == 0 {
			continue // nothing arrived yet: simply ask again
		}
	}
	if dr.Size > 0 && n != dr.Size {
		return n, &SizeMismatchError{URL: where, Expected: dr.Size, Got: n}
	}
	got := hex.EncodeToString(h.Sum(nil))
	if dr.SHA256 != "" && !strings.EqualFold(got, dr.SHA256) {
		return n, &HashMismatchError{URL: where, Expected: strings.ToLower(dr.SHA256), Got: got}
	}
	return n, nil
}

// recordingWriter remembers the destination's own error, to tell a full disk from a broken
// connection.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

// DownloadURL returns the Store's download address of one release.
func (c *Client) DownloadURL(kind Kind, name, version string) string {
	return c.endpoint("/api/v1/"+string(kind)+"/"+pathName(name)+"/releases/"+pathName(version)+"/download", nil)
}

type progressWriter struct {
	fn func(int64)
	n  int64
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.fn != nil {
		p.fn(p.n)
	}
	return len(b), nil
}

// UploadRequest describes a release upload.
type UploadRequest struct {
	Kind Kind
	Name string
	// File is the zip with Package.toml or Assets.toml at its root; Size is its length.
	File io.Reader
	Size int64
	// Changelog is shown on the release page.
	Changelog string
	// Channel is Private, Beta, Alpha or Stable; empty lets the Store default to Stable.
	Channel string
	// Publish asks the Store to publish at once (needs the admin or owner role in the team).
	Publish bool
	// Progress, when set, is called with the number of archive bytes sent so far.
	Progress func(sent int64)
}

// UploadResult is the Store's answer to an upload.
type UploadResult struct {
	Resource struct {
		Kind Kind   `json:"kind"`
		Name string `json:"name"`
	} `json:"resource"`
	Version string `json:"version"`
	Channel string `json:"channel"`
	State   string `json:"state"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	URL     string `json:"url"`
	// Notice, when set, says why the Store kept a release as a draft although publishing was
	// asked for (the token's user may upload to the team but not publish).
	Notice string `json:"notice,omitempty"`
}

// Upload sends a release archive (`POST /store/v1/{kind}/{name}/releases`) as a streamed
// multipart body with an exact Content-Length, so large archives never sit in memory.
func (c *Client) Upload(ctx context.Context, ur UploadRequest) (*UploadResult, error) {
	if ur.File == nil {
		return nil, fmt.Errorf("upload of %s %s: no archive given", ur.Kind.Singular(), ur.Name)
	}
	mw := multipart.NewWriter(io.Discard)
	boundary := mw.Boundary()

	// The fields are small; the archive part is streamed between a precomputed head and tail.
	var head strings.Builder
	field := func(name, value string) {
		fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, name, value)
	}
	field("changelog", ur.Changelog)
	if ur.Channel != "" {
		field("channel", ur.Channel)
	}
	if ur.Publish {
		field("publish", "true")
	}
	ph := textproto.MIMEHeader{}
	ph.Set("Content-Disposition", `form-data; name="file"; filename="release.zip"`)
	ph.Set("Content-Type", "application/zip")
	fmt.Fprintf(&head, "--%s\r\n", boundary)
	for _, k := range []string{"Content-Disposition", "Content-Type"} {
		fmt.Fprintf(&head, "%s: %s\r\n", k, ph.Get(k))
	}
	head.WriteString("\r\n")
	tail := "\r\n--" + boundary + "--\r\n"

	counted := &countingReader{r: io.LimitReader(ur.File, ur.Size), fn: ur.Progress}
	body := io.MultiReader(strings.NewReader(head.String()), counted, strings.NewReader(tail))
	target := c.endpoint("/store/v1/"+string(ur.Kind)+"/"+pathName(ur.Name)+"/releases", nil)
	req, err := c.newRequest(ctx, http.MethodPost, target, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(head.Len()) + ur.Size + int64(len(tail))
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	var out UploadResult
	if err := c.decode(req, &out); err != nil {
		var ue *UnreachableError
		if sent := counted.n.Load(); errors.As(err, &ue) && sent > 0 && sent < ur.Size {
			return nil, fmt.Errorf("upload of %s %s broke after %d of %d bytes (%v); try again", ur.Kind.Singular(), ur.Name, sent, ur.Size, ue.Err)
		}
		return nil, err
	}
	if sent := counted.n.Load(); sent != ur.Size {
		return nil, fmt.Errorf("upload of %s %s: sent %d of %d archive bytes; the archive changed while uploading", ur.Kind.Singular(), ur.Name, sent, ur.Size)
	}
	return &out, nil
}

// countingReader counts what net/http's writing goroutine takes from the archive.
type countingReader struct {
	r  io.Reader
	n  atomic.Int64
	fn func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	total := c.n.Add(int64(n))
	if n > 0 && c.fn != nil {
		c.fn(total)
	}
	return n, err
}

// ReleasePageURL joins a release page path the Store returned with the Store address, for
// Stores that answer with a relative URL.
func (c *Client) ReleasePageURL(u string) string {
	ref, err := url.Parse(u)
	if err != nil || ref.IsAbs() {
		return u
	}
	return c.base.ResolveReference(ref).String()
}
