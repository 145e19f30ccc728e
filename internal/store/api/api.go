// Package api serves the Store's HTTP API: JSON under /api/v1 described by OpenAPI 3.1 at
// /api/openapi.json (browsable at /api/docs), the nanos world compatible /store/v1 endpoints
// used by the official GitHub action and launchers, release downloads with ranges and ETags,
// and RFC 9457 problem responses. Every handler is a thin layer over core.Service.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
)

// Options configure the API.
type Options struct {
	// PublicURL is the Store's external base URL (https://store.example.org); when empty, URLs
	// are built from each request's host.
	PublicURL string
	// RateLimit is the number of API requests one client may make per minute (0: unlimited).
	RateLimit int
	// Logger receives request errors.
	Logger *slog.Logger
}

// Handler is the API's http.Handler.
type Handler struct {
	svc  *core.Service
	opt  Options
	mux  *http.ServeMux
	api  huma.API
	log  *slog.Logger
	next http.Handler
}

// New builds the API over a service. Requests the API does not own go to fallback (the web UI)
// when it is not nil.
func New(svc *core.Service, opt Options, fallback http.Handler) *Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	h := &Handler{svc: svc, opt: opt, mux: http.NewServeMux(), log: opt.Logger, next: fallback}
	cfg := huma.DefaultConfig("Nanoforge Store API", "1.0.0")
	cfg.CreateHooks = nil // no $schema links in bodies: clients compare shapes with nanos world's
	cfg.OpenAPIPath = "/api/openapi"
	cfg.DocsPath = "" // served by serveDocs: no JavaScript or CDN needed
	cfg.SchemasPath = "/api/schemas"
	cfg.Info.Description = "The Nanoforge Store: packages and asset packs for nanos world style servers. " +
		"Authenticate with `Authorization: Token <personal access token>` (Bearer is accepted too). " +
		"Errors are RFC 9457 problem documents. Requests are rate limited per client per minute; " +
		"see the RateLimit-* headers."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"token": {Type: "apiKey", In: "header", Name: "Authorization", Description: "`Token <personal access token>`"},
	}
	h.api = humago.New(h.mux, cfg)
	h.register()
	h.registerRaw()
	h.mux.HandleFunc("GET /api/docs", h.serveDocs)
	if fallback != nil {
		h.mux.Handle("/", fallback)
	}
	return h
}

// ServeHTTP implements http.Handler: authentication and rate limiting wrap every API route.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/store/") {
		h.mux.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	auth, err := httpauth.Authenticate(ctx, h.svc, r)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	if h.opt.RateLimit > 0 {
		// Signed-in clients are limited per token (or session); anonymous ones per address, so
		// changing the user agent does not buy a fresh budget.
		key := auth.Actor.Client
		if !auth.Actor.LoggedIn() || key == "" {
			key = "addr:" + httpauth.ClientIP(r)
		}
		ok, rem, reset, err := h.svc.RateLimit(ctx, key, h.opt.RateLimit, time.Minute)
		if err != nil {
			h.log.Warn("rate limit store unavailable; request allowed", "err", err)
		}
		secs := int(time.Until(reset).Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("RateLimit-Limit", strconv.Itoa(h.opt.RateLimit))
		w.Header().Set("RateLimit-Remaining", strconv.Itoa(rem))
		w.Header().Set("RateLimit-Reset", strconv.Itoa(secs))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			h.problem(w, r, &core.Error{Status: http.StatusTooManyRequests, Msg: fmt.Sprintf("rate limit of %d requests per minute reached; retry in %d seconds", h.opt.RateLimit, secs)})
			return
		}
	}
	if auth.Session != "" && r.Method != http.MethodGet && r.Method != http.MethodHead && !httpauth.CheckCSRF(r, auth) {
		h.problem(w, r, &core.Error{Status: http.StatusForbidden, Msg: "missing or wrong CSRF token; send the session's token in the " + httpauth.CSRFHeader + " header"})
		return
	}
	ctx = context.WithValue(httpauth.With(ctx, auth), reqKey{}, r)
	h.mux.ServeHTTP(w, r.WithContext(withBase(ctx, h, r)))
}

func actor(ctx context.Context) core.Actor { return httpauth.From(ctx).Actor }

// humaErr converts a domain error to a problem response; unexpected errors are logged and
// reported without internals.
func (h *Handler) humaErr(err error) error {
	var e *core.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return huma.NewError(e.Status, e.Msg, &huma.ErrorDetail{Message: e.Msg, Location: "body." + e.Field})
		}
		return huma.NewError(e.Status, e.Msg)
	}
	h.log.Error("store api", "err", err)
	return huma.NewError(http.StatusInternalServerError, "internal error; the Store's log has the details")
}

// problem writes an RFC 9457 problem document for raw (non-huma) handlers.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, err error) {
	status := core.StatusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		h.log.Error("store api", "path", r.URL.Path, "err", err)
		msg = "internal error; the Store's log has the details"
	}
	body := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": msg}
	var e *core.Error
	if errors.As(err, &e) && e.Field != "" {
		body["errors"] = []map[string]string{{"message": e.Msg, "location": "body." + e.Field}}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// baseURL is the Store's external URL for building absolute links.
func (h *Handler) baseURL(r *http.Request) string {
	if h.opt.PublicURL != "" {
		return h.opt.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type baseURLKey struct{}

func withBase(ctx context.Context, h *Handler, r *http.Request) context.Context {
	return context.WithValue(ctx, baseURLKey{}, h.baseURL(r))
}

func baseFrom(ctx context.Context) string {
	s, _ := ctx.Value(baseURLKey{}).(string)
	return s
}

// ReleasePage is the path of a release's web page (served by the web UI).
func ReleasePage(kind, name, version string) string {
	return "/" + kind + "/" + name + "/releases/" + version
}
