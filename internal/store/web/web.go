// Package web is the Store's web UI: server-rendered pages (html/template, embedded in the
// binary) for browsing and searching resources, reading a resource and its releases, signing
// up and in, personal access tokens, teams and members, creating resources, uploading,
// publishing and yanking releases, and the game server list.
//
// Every page works without JavaScript. Forms carry a CSRF token: the session's (checked with
// httpauth.CheckCSRF) once signed in, and a double-submit cookie before that, so sign-in and
// sign-up forms cannot be posted from other sites either. Domain failures are shown next to the
// form that caused them, with the status code core gives them, never as a bare error page.
//
// The handler is a thin layer over core.Service; downloads link to the API's download endpoint
// so ranges, ETags and download counting live in one place.
package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web UI.
type Options struct {
	// SecureCookies marks cookies Secure (set when the Store is served over https).
	SecureCookies bool
	// Logger receives unexpected errors (domain errors are shown to the user instead).
	Logger *slog.Logger
}

// Handler serves the web UI.
type Handler struct {
	svc   *core.Service
	opt   Options
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// preCSRFCookie holds the double-submit CSRF token of visitors who are not signed in.
const preCSRFCookie = "nfs_csrf"

// flashCookie carries a one-line confirmation across the redirect after a successful form.
const flashCookie = "nfs_flash"

// New builds the web UI over a service. It panics only if the embedded templates are broken,
// which the package's tests catch.
func New(svc *core.Service, opt Options) *Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &Handler{svc: svc, opt: opt, log: opt.Logger, mux: http.NewServeMux()}
	h.pages = mustParse()
	h.routes()
	return h
}

func (h *Handler) routes() {
	m := h.mux
	// One literal route per static file: a /static/ prefix would clash with /{kind}/{name}.
	entries, _ := fs.ReadDir(staticFS, "static")
	for _, e := range entries {
		name := e.Name()
		m.HandleFunc("GET /static/"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "public, max-age=3600")
			http.ServeFileFS(w, r, staticFS, "static/"+name)
		})
	}
	m.HandleFunc("GET /{$}", h.browse)
	m.HandleFunc("GET /search", h.browse)
	m.HandleFunc("GET /signup", h.signupPage)
	m.HandleFunc("POST /signup", h.signup)
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /login", h.login)
	m.HandleFunc("POST /logout", h.logout)
	m.HandleFunc("GET /account/tokens", h.tokensPage)
	m.HandleFunc("POST /account/tokens", h.createToken)
	m.HandleFunc("POST /account/tokens/{id}/revoke", h.revokeToken)
	m.HandleFunc("GET /teams", h.teamsPage)
	m.HandleFunc("POST /teams", h.createTeam)
	m.HandleFunc("GET /teams/{team}", h.teamPage)
	m.HandleFunc("POST /teams/{team}", h.editTeam)
	m.HandleFunc("POST /teams/{team}/members", h.setMember)
	m.HandleFunc("POST /teams/{team}/members/{user}/remove", h.removeMember)
	m.HandleFunc("POST /teams/{team}/delete", h.deleteTeam)
	m.HandleFunc("GET /new", h.newResourcePage)
	m.HandleFunc("POST /new", h.newResource)
	m.HandleFunc("GET /servers", h.serversPage)
	m.HandleFunc("GET /{kind}/{name}", h.resourcePage)
	m.HandleFunc("GET /{kind}/{name}/edit", h.editPage)
	m.HandleFunc("POST /{kind}/{name}/edit", h.edit)
	m.HandleFunc("POST /{kind}/{name}/image", h.uploadImage)
	m.HandleFunc("GET /{kind}/{name}/upload", h.uploadPage)
	m.HandleFunc("POST /{kind}/{name}/upload", h.upload)
	m.HandleFunc("GET /{kind}/{name}/releases/{version}", h.releasePage)
	m.HandleFunc("POST /{kind}/{name}/releases/{version}/publish", h.publish)
	m.HandleFunc("POST /{kind}/{name}/releases/{version}/yank", h.yank)
	m.HandleFunc("POST /{kind}/{name}/releases/{version}/delete", h.deleteRelease)
	m.HandleFunc("/", h.notFound)
}

// ServeHTTP authenticates the visitor (session cookie), sets security headers and routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	// No scripts are needed; inline styles are not used either. Images may come from any https
	// host because resource images are links the authors give.
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	auth, err := httpauth.Authenticate(r.Context(), h.svc, r)
	if err != nil {
		// A bad Authorization header: browsers never send one by themselves, so treat the
		// request as anonymous rather than failing the page.
		auth = httpauth.Auth{Actor: core.Anonymous(httpauth.ClientKey(r))}
	}
	if auth.Token != nil {
		// Pages act for people in browsers; a token is for the API.
		auth = httpauth.Auth{Actor: core.Anonymous(httpauth.ClientKey(r))}
	}
	h.mux.ServeHTTP(w, r.WithContext(httpauth.With(r.Context(), auth)))
}

// ---------------------------------------------------------------- page data

// view is what every template receives.
type view struct {
	Title   string
	User    string // signed-in user name, empty for visitors
	CSRF    string // token to put in every form
	Flash   string
	Error   string // message shown next to the form that failed
	Field   string // the input at fault, when known
	Form    url.Values
	Path    string
	Signup  bool
	Data    any
	Status  int
	NoIndex bool
}

// Val returns a submitted form value, to refill a form after an error.
func (v *view) Val(key string) string {
	if v.Form == nil {
		return ""
	}
	return v.Form.Get(key)
}

// FieldErr returns the error message when it concerns field.
func (v *view) FieldErr(field string) string {
	if v.Error != "" && v.Field == field {
		return v.Error
	}
	return ""
}

func (h *Handler) newView(w http.ResponseWriter, r *http.Request, title string) *view {
	a := httpauth.From(r.Context())
	v := &view{Title: title, Path: r.URL.Path, Signup: h.svc.Config().SignupOpen, Status: http.StatusOK}
	if a.Actor.LoggedIn() {
		v.User, v.CSRF = a.Actor.Name, a.CSRF
	} else {
		v.CSRF = h.preCSRF(w, r)
	}
	if c, err := r.Cookie(flashCookie); err == nil && c.Value != "" {
		if msg, err := url.QueryUnescape(c.Value); err == nil {
			v.Flash = msg
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	return v
}

// preCSRF returns the visitor's double-submit token, setting the cookie when it is missing.
func (h *Handler) preCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: tok, Path: "/", HttpOnly: true, Secure: h.opt.SecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: 2 * 3600})
	// Later reads in this request see the fresh token too.
	r.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: tok})
	return tok
}

// csrfOK checks a form's CSRF token; got is the submitted value (already read for multipart
// forms), or empty to read it from the parsed form.
func (h *Handler) csrfOK(r *http.Request, got string) bool {
	a := httpauth.From(r.Context())
	if got == "" {
		got = r.PostFormValue(httpauth.CSRFField)
	}
	if a.Session != "" {
		// The store's helper reads the header first: hand it the form value that way.
		rr := r.Clone(r.Context())
		rr.Header = r.Header.Clone()
		rr.Header.Set(httpauth.CSRFHeader, got)
		return httpauth.CheckCSRF(rr, a)
	}
	c, err := r.Cookie(preCSRFCookie)
	return err == nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

// csrfFailed answers a form whose token is missing or stale: a page saying to reload, 403.
func (h *Handler) csrfFailed(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "Form expired")
	v.Status = http.StatusForbidden
	v.Error = "This form expired or did not come from this Store (its security token is missing or wrong). Go back, reload the page and send it again."
	h.render(w, r, "error", v)
}

// render executes a page template with the layout.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, page string, v *view) {
	t, ok := h.pages[page]
	if !ok {
		h.log.Error("store web: no template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		h.log.Error("store web: render", "page", page, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error; the Store's log has the details", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if v.User != "" || v.NoIndex {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	w.WriteHeader(v.Status)
	w.Write([]byte(b.String()))
}

// fail shows an error with the page a form came from: the message sits beside the form and
// the status is the one core assigned.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, page string, v *view, err error) {
	var e *core.Error
	if errors.As(err, &e) {
		v.Status, v.Error, v.Field = e.Status, e.Msg, e.Field
	} else {
		h.log.Error("store web", "path", r.URL.Path, "err", err)
		v.Status, v.Error = http.StatusInternalServerError, "Something went wrong on the Store's side; the operator's log has the details. Try again in a moment."
	}
	h.render(w, r, page, v)
}

// errorPage shows a whole-page error (missing resource, no access) inside the layout.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	v := h.newView(w, r, "")
	var e *core.Error
	if errors.As(err, &e) {
		v.Status, v.Error = e.Status, e.Msg
	} else {
		h.log.Error("store web", "path", r.URL.Path, "err", err)
		v.Status, v.Error = http.StatusInternalServerError, "Something went wrong on the Store's side; the operator's log has the details."
	}
	switch v.Status {
	case http.StatusNotFound:
		v.Title = "Not found"
	case http.StatusForbidden:
		v.Title = "Not allowed"
	case http.StatusUnauthorized:
		v.Title = "Sign in first"
	default:
		v.Title = "Error"
	}
	h.render(w, r, "error", v)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, &core.Error{Status: http.StatusNotFound, Msg: "There is no page at " + r.URL.Path + "."})
}

// redirect sends the browser on after a successful form (303), with a confirmation to show.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", MaxAge: 60, HttpOnly: true, Secure: h.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// requireLogin sends visitors to the sign-in page and reports whether the request may go on.
func (h *Handler) requireLogin(w http.ResponseWriter, r *http.Request) (core.Actor, bool) {
	a := httpauth.From(r.Context()).Actor
	if a.LoggedIn() {
		return a, true
	}
	next := r.URL.Path
	if r.Method == http.MethodGet && r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
	return core.Actor{}, false
}

// requireFormPost is the start of every form that changes something of a signed-in user: the
// visitor is sent to sign in first, and a form without this Store's CSRF token gets the "form
// expired" page. ok is false when either has been answered.
func (h *Handler) requireFormPost(w http.ResponseWriter, r *http.Request) (core.Actor, bool) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return core.Actor{}, false
	}
	if !h.csrfOK(r, "") {
		h.csrfFailed(w, r)
		return core.Actor{}, false
	}
	return a, true
}

// localPath accepts only paths on this site as redirect targets (no //host or scheme).
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func actorOf(ctx context.Context) core.Actor { return httpauth.From(ctx).Actor }

// ---------------------------------------------------------------- templates

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"isoTime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"size":     humanSize,
	"count":    humanCount,
	"markdown": renderMarkdown,
	// rendered shows a resource description core already rendered and sanitised.
	"rendered": demoteHeadings,
	"join":     strings.Join,
	"lower":    strings.ToLower,
	"noun":     noun,
	"cliKind": func(kind string) string {
		if kind == core.KindAssets {
			return "assets"
		}
		return "package"
	},
	"initial": func(s string) string {
		for _, c := range strings.ToUpper(s) {
			return string(c)
		}
		return "?"
	},
	"reqName": func(req string) string { n, _, _ := strings.Cut(req, "@"); return n },
	"reqVersion": func(req string) string {
		_, v, _ := strings.Cut(req, "@")
		return v
	},
	"add":  func(a, b int) int { return a + b },
	"lcat": func(s string) string { return strings.ReplaceAll(s, "-", " ") },
}

// headingTag matches heading tags in sanitised HTML (text cannot contain a raw '<' there).
var headingTag = regexp.MustCompile(`<(/?)h([1-6])([\s>])`)

// renderMarkdown renders user Markdown through the Store's renderer (goldmark, then
// bluemonday's user-content policy), with headings moved down by demoteHeadings.
func renderMarkdown(src string) template.HTML {
	return demoteHeadings(core.RenderMarkdown(src))
}

// demoteHeadings moves the headings of HTML that core.RenderMarkdown produced (sanitised, so
// text holds no raw '<') two levels down, so a description's "# Title" sits below the page's own
// h1 and section h2 instead of competing with them. Only core's sanitised output may be passed.
func demoteHeadings(sanitised string) template.HTML {
	out := headingTag.ReplaceAllStringFunc(sanitised, func(m string) string {
		sub := headingTag.FindStringSubmatch(m)
		level := min(int(sub[2][0]-'0')+2, 6)
		return "<" + sub[1] + "h" + strconv.Itoa(level) + sub[3]
	})
	return template.HTML(out)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func humanCount(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1_000_000)
	case n >= 10_000:
		return fmt.Sprintf("%dk", n/1000)
	case n >= 1000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	}
	return fmt.Sprintf("%d", n)
}

// pageNames are the page templates; each is parsed together with layout.html.
var pageNames = []string{"browse", "resource", "release", "edit", "upload", "new", "signup", "login", "tokens", "teams", "team", "servers", "error"}

func mustParse() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	out := map[string]*template.Template{}
	for _, p := range pageNames {
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+p+".html"))
		out[p] = t
	}
	return out
}
