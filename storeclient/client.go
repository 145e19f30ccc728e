// Package storeclient is the Go client of the Nanoforge Store HTTP API.
//
// It speaks the documented contract only: the nanos-compatible `/store/v1` routes (listing and
// release upload) and the `/api/v1` routes (account, resolve, resources, downloads, publish,
// yank). Errors from the Store arrive as RFC 9457 problem documents and are returned as
// *Problem; a Store that cannot be reached is reported as *UnreachableError naming the URL.
package storeclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultURL is the Store address used when none is configured: a Store started locally with
// `nanoforge-store` and its default flags.
const DefaultURL = "http://127.0.0.1:8080"

// Kind names the two kinds of Store resources, spelled as they appear in API paths.
type Kind string

const (
	// Packages are Lua packages (script, game-mode, map, loading-screen, c-module).
	Packages Kind = "packages"
	// Assets are asset packs.
	Assets Kind = "assets"
)

// ParseKind accepts the spellings users type (`package`, `packages`, `assets`, `asset`) and
// returns the API kind.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "package", "packages":
		return Packages, nil
	case "asset", "assets":
		return Assets, nil
	}
	return "", fmt.Errorf("unknown resource kind %q: use \"package\" or \"assets\"", s)
}

// Singular returns the word used in sentences and CLI commands: "package" or "assets".
func (k Kind) Singular() string {
	if k == Assets {
		return "assets"
	}
	return "package"
}

// Client calls one Store. The zero value is not usable; build it with New.
type Client struct {
	base      *url.URL
	token     string
	http      *http.Client
	userAgent string
}

// Option adjusts a Client built by New.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (timeouts, proxies, transports in tests).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithUserAgent sets the User-Agent sent with every request.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// New returns a client for the Store at baseURL (scheme and host, optionally a path prefix),
// authenticating with token when it is not empty.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultURL
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("store address %q is not an http(s) URL: pass it as --store http://host:port or set NANOFORGE_STORE_URL", baseURL)
	}
	c := &Client{
		base:      u,
		token:     strings.TrimSpace(token),
		http:      &http.Client{Timeout: 0},
		userAgent: "nanoforge-storeclient",
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// BaseURL returns the Store address the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// HasToken reports whether requests carry an authorization token.
func (c *Client) HasToken() bool { return c.token != "" }

// Problem is an RFC 9457 problem document returned by the Store.
type Problem struct {
	Type   string         `json:"type,omitempty"`
	Title  string         `json:"title,omitempty"`
	Status int            `json:"status,omitempty"`
	Detail string         `json:"detail,omitempty"`
	Errors []ProblemError `json:"errors,omitempty"`

	// Method and URL say which request failed; they are filled in by the client.
	Method string `json:"-"`
	URL    string `json:"-"`
}

// ProblemError is one entry of a problem document's `errors` list.
type ProblemError struct {
	Message  string `json:"message,omitempty"`
	Location string `json:"location,omitempty"`
	Value    any    `json:"value,omitempty"`
}

// Error returns one line: the Store's detail (which says what to do), then the specific
// errors, then the status.
func (p *Problem) Error() string {
	var b strings.Builder
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = http.StatusText(p.Status)
	}
	b.WriteString(strings.TrimRight(msg, ". "))
	for _, e := range p.Errors {
		// Stores often repeat the detail in the list; say each thing once.
		if e.Message == "" || strings.Contains(msg, e.Message) {
			continue
		}
		b.WriteString("; ")
		if e.Location != "" {
			b.WriteString(e.Location)
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	fmt.Fprintf(&b, " (store answered %d", p.Status)
	if p.Method != "" {
		fmt.Fprintf(&b, " to %s %s", p.Method, p.URL)
	}
	b.WriteString(")")
	return b.String()
}

// IsStatus reports whether err is a Store problem with the given HTTP status.
func IsStatus(err error, status int) bool {
	var p *Problem
	return errors.As(err, &p) && p.Status == status
}

// UnreachableError reports that no HTTP answer came back from the Store.
type UnreachableError struct {
	URL string
	Err error
}

// Error says which Store could not be reached and what to check.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach the Store at %s: %v; check that it is running and that --store or NANOFORGE_STORE_URL points at it", e.URL, e.Err)
}

// Unwrap returns the transport error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// endpoint builds an absolute URL below the base address.
func (c *Client) endpoint(path string, query url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawPath = ""
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// sameOrigin reports whether target is served by the configured Store, so the token may be sent.
func (c *Client) sameOrigin(target *url.URL) bool {
	return strings.EqualFold(target.Scheme, c.base.Scheme) && strings.EqualFold(target.Host, c.base.Host)
}

func (c *Client) newRequest(ctx context.Context, method, target string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", method, target, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json, application/problem+json")
	if c.token != "" && c.sameOrigin(req.URL) {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	return req, nil
}

// do sends req and turns transport failures and error statuses into typed errors. On success
// the caller owns resp.Body.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, ctxErr)
		}
		return nil, &UnreachableError{URL: c.base.String(), Err: transportCause(err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readProblem(req, resp)
}

// transportCause strips the url.Error wrapper, whose text repeats the method and URL.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op
	}
	return err
}

// maxProblemBytes bounds how much of an error body is read.
const maxProblemBytes = 64 << 10

func readProblem(req *http.Request, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	p := &Problem{Status: resp.StatusCode, Method: req.Method, URL: req.URL.Redacted()}
	ct := resp.Header.Get("Content-Type")
	if strings.Contains(ct, "json") && json.Unmarshal(body, p) == nil && (p.Detail != "" || p.Title != "") {
		p.Status = resp.StatusCode
		return p
	}
	// Not a problem document: a proxy, a different server, or an old Store answered.
	p.Title = http.StatusText(resp.StatusCode)
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		p.Detail = "the Store rejected the token: create a new one on the Store and pass it with --token or Config.toml [general] token"
	case http.StatusForbidden:
		p.Detail = "the token is not allowed to do this: check its scopes and your team membership on the Store"
	case http.StatusNotFound:
		p.Detail = "not found on the Store: check the name and that --store points at a Nanoforge Store"
	default:
		p.Detail = fmt.Sprintf("the server at %s answered %s without a Store error document; check that --store points at a Nanoforge Store", req.URL.Host, resp.Status)
	}
	return p
}

// getJSON performs a GET and decodes a JSON answer into out.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	req, err := c.newRequest(ctx, http.MethodGet, c.endpoint(path, query), nil)
	if err != nil {
		return err
	}
	return c.decode(req, out)
}

// sendJSON performs a request with a JSON body and decodes the answer into out (when not nil).
func (c *Client) sendJSON(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding %s %s body: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, c.endpoint(path, nil), body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.decode(req, out)
}

// maxJSONBytes bounds a JSON answer; listings and resolves are far smaller.
const maxJSONBytes = 32 << 20

func (c *Client) decode(req *http.Request, out any) error {
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJSONBytes))
		return nil
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxJSONBytes))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("reading the Store's answer to %s %s: %w (is --store a Nanoforge Store?)", req.Method, req.URL.Redacted(), err)
	}
	return nil
}

// pathName escapes one path segment (names are validated by the Store; escaping keeps a
// hostile or mistyped name from changing the route).
func pathName(s string) string { return url.PathEscape(s) }

// defaultTimeout is applied to metadata calls when the caller's context has no deadline, so a
// stalled Store does not hang the CLI forever. Transfers are bounded by the caller instead.
const defaultTimeout = 60 * time.Second

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, defaultTimeout)
}
