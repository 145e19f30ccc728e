// Package core holds the Store's domain services: accounts, tokens, teams, resources,
// releases, downloads, search, dependency resolution and the server list.
//
// Every method takes a context and the Actor doing it, checks what that actor may do, and keeps
// all state in the database and the blob store: nothing lives in process memory, so several Store
// processes can serve one database and one bucket. The HTTP API and the web UI are thin layers
// over this package.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/db"
	"github.com/nanoforge/nanoforge/internal/store/zipcheck"
)

// Config tunes a Service. Zero fields take defaults.
type Config struct {
	// SignupOpen lets anyone create an account; operators can switch it off.
	SignupOpen bool
	// TmpDir holds uploads while they are validated (never in memory).
	TmpDir string
	// MaxUploadSize bounds the bytes of one uploaded zip.
	MaxUploadSize int64
	// Zip bounds what an uploaded archive may contain.
	Zip zipcheck.Limits
	// DownloadWindow is how long one client's repeated downloads of a release count once.
	DownloadWindow time.Duration
	// ServerTTL is how long a game server stays listed after its last heartbeat.
	ServerTTL time.Duration
	// OrphanGrace is how old an unreferenced blob must be before cleanup removes it; it
	// protects uploads in flight in other processes.
	OrphanGrace time.Duration
	// Argon2 parameters for password hashing.
	Argon2 Argon2Params
	// LoginFailures is how many failed logins per account or address within LoginWindow
	// block further attempts.
	LoginFailures int
	LoginWindow   time.Duration
	// Logger receives operational messages.
	Logger *slog.Logger
	// Now is the clock (tests replace it).
	Now func() time.Time
}

// Service is the Store's domain layer.
type Service struct {
	db   *db.DB
	blob blob.Store
	cfg  Config
	log  *slog.Logger

	// afterBlob runs between writing a release's blobs and committing its row; tests use it to
	// simulate a crash at the worst moment.
	afterBlob func() error
}

// New builds a Service over an open database and blob store.
func New(d *db.DB, b blob.Store, cfg Config) (*Service, error) {
	if cfg.TmpDir == "" {
		cfg.TmpDir = filepath.Join(os.TempDir(), "nanoforge-store")
	}
	if err := os.MkdirAll(cfg.TmpDir, 0o755); err != nil {
		return nil, fmt.Errorf("store: create temporary folder %s: %w", cfg.TmpDir, err)
	}
	if cfg.MaxUploadSize <= 0 {
		cfg.MaxUploadSize = 512 << 20
	}
	if cfg.DownloadWindow <= 0 {
		cfg.DownloadWindow = time.Hour
	}
	if cfg.ServerTTL <= 0 {
		cfg.ServerTTL = 90 * time.Second
	}
	if cfg.OrphanGrace <= 0 {
		cfg.OrphanGrace = time.Hour
	}
	if cfg.Argon2.Memory == 0 {
		cfg.Argon2 = DefaultArgon2
	}
	if cfg.LoginFailures <= 0 {
		cfg.LoginFailures = 10
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: d, blob: b, cfg: cfg, log: cfg.Logger}, nil
}

// DB returns the service's database (for operator tooling and tests).
func (s *Service) DB() *db.DB { return s.db }

// Blob returns the service's blob store.
func (s *Service) Blob() blob.Store { return s.blob }

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Error is a domain failure with the HTTP status it maps to and a message saying what to do.
type Error struct {
	Status int
	Msg    string
	// Field names the input at fault, when there is one.
	Field string
}

// Error returns the message, which says what to do.
func (e *Error) Error() string { return e.Msg }

func errf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// StatusOf maps an error to an HTTP status (500 for anything that is not an *Error).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}

var errLogin = errf(http.StatusUnauthorized, "sign in first: send `Authorization: Token <token>` (create a token in your account settings)")

// Scope is a permission a token grants.
type Scope uint8

// Token scopes.
const (
	ScopeRead    Scope = 1 << iota // read private releases of the user's teams
	ScopePublish                   // upload, publish, yank and delete releases
	ScopeManage                    // manage teams, resources and tokens
	ScopeAll     = ScopeRead | ScopePublish | ScopeManage
)

// ScopeNames lists scopes in display order.
var ScopeNames = []struct {
	Name  string
	Scope Scope
}{{"read", ScopeRead}, {"publish", ScopePublish}, {"manage", ScopeManage}}

// Has reports whether s includes all of o.
func (s Scope) Has(o Scope) bool { return s&o == o }

// Names lists the scope names in s.
func (s Scope) Names() []string {
	out := []string{}
	for _, n := range ScopeNames {
		if s.Has(n.Scope) {
			out = append(out, n.Name)
		}
	}
	return out
}

// ParseScopes reads scope names ("read", "publish", "manage").
func ParseScopes(names []string) (Scope, error) {
	var s Scope
	for _, name := range names {
		found := false
		for _, n := range ScopeNames {
			if n.Name == name {
				s |= n.Scope
				found = true
			}
		}
		if !found && name != "" {
			return 0, invalid("scopes", "unknown scope %q; use read, publish or manage", name)
		}
	}
	return s, nil
}

// Actor is who performs an operation.
type Actor struct {
	UserID   int64  // 0 for anonymous visitors
	Name     string // user name
	Operator bool   // site operator: may do anything an owner may, on every team
	Scopes   Scope  // what the credential allows (sessions allow everything)
	TokenID  int64  // the personal access token used, if any
	// Client identifies the client for download counting and rate limits (a hash of address and
	// user agent, or of the token).
	Client string
}

// Anonymous is a visitor who has not signed in.
func Anonymous(client string) Actor { return Actor{Client: client} }

// LoggedIn reports whether the actor is a user.
func (a Actor) LoggedIn() bool { return a.UserID != 0 }

// Role is a team member's role.
type Role string

// Team roles, most powerful first.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 3
	case RoleAdmin:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

// AtLeast reports whether r is o or more powerful.
func (r Role) AtLeast(o Role) bool { return r.rank() >= o.rank() && r.rank() > 0 }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleOwner, RoleAdmin, RoleMember:
		return r, nil
	}
	return "", invalid("role", "unknown role %q; use owner, admin or member", s)
}

// roleIn returns the actor's effective role in a team ("" when not a member); operators count as
// owners everywhere.
func (s *Service) roleIn(ctx context.Context, q db.Q, a Actor, teamID int64) (Role, error) {
	if !a.LoggedIn() {
		return "", nil
	}
	if a.Operator {
		return RoleOwner, nil
	}
	var role string
	err := q.Row(ctx, `SELECT role FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, a.UserID).Scan(&role)
	if err != nil {
		if isNoRows(err) {
			return "", nil
		}
		return "", err
	}
	return Role(role), nil
}
