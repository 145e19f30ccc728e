// Package db opens the Store's SQL database (SQLite by default, PostgreSQL for scale),
// runs its migrations and hides the few differences between the two dialects.
//
// Queries are written once with `?` placeholders; Rebind turns them into `$n` for PostgreSQL.
// Times are stored as Unix milliseconds and booleans as integers so that the same Go code reads
// both databases.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL flavour of an open database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Store database.
type DB struct {
	*sql.DB
	Dialect Dialect
}

// Open connects to the database named by url and runs all pending migrations.
// A url starting with postgres:// or postgresql:// opens PostgreSQL; anything else is a SQLite
// file path (created with its folder when missing).
func Open(ctx context.Context, url string) (*DB, error) {
	d := &DB{}
	var err error
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		d.Dialect = Postgres
		d.DB, err = sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store database: open %s: %w", redact(url), err)
		}
		d.SetMaxOpenConns(32)
		d.SetMaxIdleConns(32)
	} else {
		d.Dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite://")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store database: create folder for %s: %w", path, err)
			}
		}
		// WAL lets readers run beside the writer; immediate transactions take the write lock at
		// BEGIN so two writers (even in two processes) queue on busy_timeout instead of failing.
		dsn := "file:" + path + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		d.DB, err = sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store database: open %s: %w", path, err)
		}
		d.SetMaxOpenConns(8)
		d.SetMaxIdleConns(8)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := d.PingContext(pctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("store database: cannot reach %s: %w (check the --database URL and that the server runs)", redact(url), err)
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.Dialect))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.DB, sub)
	if err != nil {
		return fmt.Errorf("store database: load migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store database: run migrations: %w", err)
	}
	return nil
}

// Rebind rewrites `?` placeholders for the database's dialect.
func (d *DB) Rebind(q string) string {
	if d.Dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Queryer is what both *sql.DB and *sql.Tx offer.
type Queryer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Q binds a Queryer (the database or a transaction) to the database's dialect.
type Q struct {
	d *DB
	q Queryer
}

// Q returns the dialect-aware query helper over the database itself.
func (d *DB) Q() Q { return Q{d: d, q: d.DB} }

// Exec runs a statement.
func (q Q) Exec(ctx context.Context, s string, args ...any) (sql.Result, error) {
	return q.q.ExecContext(ctx, q.d.Rebind(s), args...)
}

// Query runs a query returning rows.
func (q Q) Query(ctx context.Context, s string, args ...any) (*sql.Rows, error) {
	return q.q.QueryContext(ctx, q.d.Rebind(s), args...)
}

// Row runs a query returning at most one row.
func (q Q) Row(ctx context.Context, s string, args ...any) *sql.Row {
	return q.q.QueryRowContext(ctx, q.d.Rebind(s), args...)
}

// Dialect reports the dialect of the underlying database.
func (q Q) Dialect() Dialect { return q.d.Dialect }

// Tx runs fn in a transaction, committing when it returns nil. SQLite busy errors (another
// process holding the write lock past busy_timeout) are retried a few times.
func (d *DB) Tx(ctx context.Context, fn func(q Q) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = d.tx(ctx, fn)
		if err == nil || !IsBusy(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	return err
}

func (d *DB) tx(ctx context.Context, fn func(q Q) error) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(Q{d: d, q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsBusy reports whether err is SQLite's "database is locked".
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// Millis converts a time to the stored representation.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Time converts a stored time back; 0 is the zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Bool converts a stored integer to a bool.
func Bool(v int64) bool { return v != 0 }

// Int converts a bool to its stored integer.
func Int(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// redact hides a password in a database URL before it is printed.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
