package lib

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HTTPMethods maps the HTTPMethod enum values to method names.
var HTTPMethods = []string{"GET", "POST", "PUT", "HEAD", "DELETE", "PATCH", "OPTIONS"}

// Default timeouts. The API only says they are in seconds; these are
// short enough that a synchronous request to a dead host does not stall
// the server for minutes.
const (
	DefaultHTTPConnectTimeout   = 10 * time.Second
	DefaultHTTPReadWriteTimeout = 10 * time.Second
	// httpWorkers bounds concurrent asynchronous requests; more wait in line.
	httpWorkers = 8
	// httpQueue bounds requests waiting for a worker.
	httpQueue = 4096
	// maxHTTPBody caps a response body kept in memory.
	maxHTTPBody = 64 << 20
)

// HTTPRequest is one request as a script describes it.
type HTTPRequest struct {
	URI         string // "host:port", "http://host" or "https://host/base"
	Endpoint    string // path and query, e.g. "/api?x=1"
	Method      string
	Data        string
	ContentType string
	Compress    bool // gzip the request body
	Headers     map[string]string
}

// HTTPResponse is what scripts receive. Status is 0 when no response was
// received (bad address, refused connection, timeout); Data then holds the
// reason.
type HTTPResponse struct {
	Status  int
	Data    string
	Headers map[string]string
	Err     error
}

// HTTPClient performs requests with the server-wide timeouts and runs
// asynchronous requests on a bounded pool of workers.
type HTTPClient struct {
	connectTimeout atomic.Int64 // nanoseconds
	rwTimeout      atomic.Int64 // nanoseconds
	client         *http.Client

	mu      sync.Mutex
	queue   chan func()
	started bool
	closed  bool
	wg      sync.WaitGroup // workers
	pending sync.WaitGroup // queued or running jobs
}

// NewHTTPClient returns a client with the default timeouts.
func NewHTTPClient() *HTTPClient {
	c := &HTTPClient{queue: make(chan func(), httpQueue)}
	c.connectTimeout.Store(int64(DefaultHTTPConnectTimeout))
	c.rwTimeout.Store(int64(DefaultHTTPReadWriteTimeout))
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := *dialer
			d.Timeout = time.Duration(c.connectTimeout.Load())
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &deadlineConn{Conn: conn, timeout: &c.rwTimeout}, nil
		},
		TLSHandshakeTimeout: DefaultHTTPConnectTimeout,
		// One connection per request: the transport silently retries a GET
		// that fails on a reused connection, which would double the
		// timeout a script asked for and repeat the request.
		DisableKeepAlives: true,
	}
	c.client = &http.Client{Transport: transport}
	return c
}

// SetConnectionTimeout sets how long establishing a connection may take.
// Zero or less restores the default.
func (c *HTTPClient) SetConnectionTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultHTTPConnectTimeout
	}
	c.connectTimeout.Store(int64(d))
}

// SetReadWriteTimeout sets how long one read or write on a connection may
// wait for the peer. Zero or less restores the default.
func (c *HTTPClient) SetReadWriteTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultHTTPReadWriteTimeout
	}
	c.rwTimeout.Store(int64(d))
}

// deadlineConn applies the read/write timeout to every single read and
// write, so a slow but steady download is not cut off while a stalled peer
// is.
type deadlineConn struct {
	net.Conn
	timeout *atomic.Int64
}

func (d *deadlineConn) Read(p []byte) (int, error) {
	if err := d.Conn.SetReadDeadline(time.Now().Add(time.Duration(d.timeout.Load()))); err != nil {
		return 0, err
	}
	return d.Conn.Read(p)
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	// Setting both deadlines also moves the one of the read the transport
	// already has pending on a reused keep-alive connection, so the
	// response to this request is held to the current timeout.
	if err := d.Conn.SetDeadline(time.Now().Add(time.Duration(d.timeout.Load()))); err != nil {
		return 0, err
	}
	return d.Conn.Write(p)
}

// BuildURL joins uri and endpoint as scripts pass them ("127.0.0.1:7777",
// "/path"), adding http:// when uri has no scheme.
func BuildURL(uri, endpoint string) (string, error) {
	uri = strings.TrimSpace(uri)
	if uri == "" {
		return "", errors.New("empty uri: pass a host such as \"127.0.0.1:7777\" or \"https://example.com\"")
	}
	if !strings.Contains(uri, "://") {
		uri = "http://" + uri
	}
	if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
		return "", fmt.Errorf("unsupported scheme in uri %q: only http:// and https:// are supported", uri)
	}
	uri = strings.TrimRight(uri, "/")
	if endpoint != "" && !strings.HasPrefix(endpoint, "/") {
		endpoint = "/" + endpoint
	}
	return uri + endpoint, nil
}

// Do performs one request and waits for it.
func (c *HTTPClient) Do(ctx context.Context, r HTTPRequest) HTTPResponse {
	fail := func(err error) HTTPResponse {
		return HTTPResponse{Status: 0, Data: err.Error(), Headers: map[string]string{}, Err: err}
	}
	url, err := BuildURL(r.URI, r.Endpoint)
	if err != nil {
		return fail(fmt.Errorf("HTTP: %w", err))
	}
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = "GET"
	}
	var body io.Reader
	if r.Data != "" {
		if r.Compress {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			_, _ = zw.Write([]byte(r.Data))
			_ = zw.Close()
			body = &buf
		} else {
			body = strings.NewReader(r.Data)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return fail(fmt.Errorf("HTTP %s %s: %w", method, url, err))
	}
	if r.Data != "" {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
		if r.Compress {
			req.Header.Set("Content-Encoding", "gzip")
		}
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "nanoforge")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fail(fmt.Errorf("HTTP %s %s: %w", method, url, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody+1))
	if err != nil {
		return fail(fmt.Errorf("HTTP %s %s: reading the response: %w", method, url, err))
	}
	if len(data) > maxHTTPBody {
		return fail(fmt.Errorf("HTTP %s %s: response larger than %d MiB", method, url, maxHTTPBody>>20))
	}
	headers := make(map[string]string, len(resp.Header))
	for k, vs := range resp.Header {
		headers[k] = strings.Join(vs, ", ")
	}
	return HTTPResponse{Status: resp.StatusCode, Data: string(data), Headers: headers}
}

// Go runs the request on a worker and hands the response to done (called
// on the worker goroutine). It fails only when the client is closed or the
// queue is full.
func (c *HTTPClient) Go(r HTTPRequest, done func(HTTPResponse)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("HTTP: the client is closed (the scripting host is shutting down)")
	}
	if !c.started {
		c.started = true
		for i := 0; i < httpWorkers; i++ {
			c.wg.Add(1)
			go c.worker()
		}
	}
	c.pending.Add(1)
	job := func() {
		defer c.pending.Done()
		done(c.Do(context.Background(), r))
	}
	select {
	case c.queue <- job:
		return nil
	default:
		c.pending.Done()
		return fmt.Errorf("HTTP: %d requests already waiting; slow down or raise the limit", httpQueue)
	}
}

func (c *HTTPClient) worker() {
	defer c.wg.Done()
	for job := range c.queue {
		job()
	}
}

// Wait blocks until every queued or running asynchronous request is done.
func (c *HTTPClient) Wait() { c.pending.Wait() }

// Close finishes the queued requests, then stops the workers.
func (c *HTTPClient) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.queue)
	c.mu.Unlock()
	c.wg.Wait()
	c.client.CloseIdleConnections()
}
