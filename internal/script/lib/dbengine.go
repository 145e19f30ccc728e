package lib

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"database/sql/driver"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DatabaseEngine is the DatabaseEngine enum.
type DatabaseEngine int

// The DatabaseEngine enum values.
const (
	EngineSQLite     DatabaseEngine = 0
	EngineMySQL      DatabaseEngine = 1
	EnginePostgreSQL DatabaseEngine = 2
)

// String returns the engine's enum name ("SQLite").
func (e DatabaseEngine) String() string {
	switch e {
	case EngineSQLite:
		return "SQLite"
	case EngineMySQL:
		return "MySQL"
	case EnginePostgreSQL:
		return "PostgreSQL"
	}
	return fmt.Sprintf("DatabaseEngine(%d)", int(e))
}

// DB is an open database of one of the three engines.
type DB struct {
	Engine DatabaseEngine
	sql    *sql.DB
}

// ParseConnString splits "key1=value1 key2='value 2'" into pairs. Values
// may be single-quoted (with \' and \\ escapes) to hold spaces.
func ParseConnString(s string) (map[string]string, error) {
	out := map[string]string{}
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ';') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := strings.ToLower(s[start:i])
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			return nil, fmt.Errorf("connection string: %q has no value: write it as %s=value", key, key)
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '\'' {
					closed = true
					i++
					break
				}
				val.WriteByte(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("connection string: the value of %q has no closing quote", key)
			}
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != ';' {
				val.WriteByte(s[i])
				i++
			}
		}
		if key == "" {
			return nil, errors.New("connection string: a parameter has an empty name before '='")
		}
		out[key] = val.String()
	}
}

// OpenDB connects to a database. For SQLite the file, and for MySQL the
// TLS certificate files, are confined to root (the server folder);
// "db=:memory:" or ":memory:" is an in-memory SQLite database. poolSize
// bounds open connections.
func OpenDB(ctx context.Context, engine DatabaseEngine, conn string, poolSize int, root string) (*DB, error) {
	if poolSize <= 0 {
		poolSize = 10
	}
	var (
		db  *sql.DB
		err error
	)
	switch engine {
	case EngineSQLite:
		db, poolSize, err = openSQLite(conn, poolSize, root)
	case EngineMySQL:
		db, err = openMySQL(conn, root)
	case EnginePostgreSQL:
		db, err = openPostgres(conn)
	default:
		return nil, fmt.Errorf("Database: unknown engine %d: use DatabaseEngine.SQLite (0), MySQL (1) or PostgreSQL (2)", int(engine))
	}
	if err != nil {
		return nil, fmt.Errorf("Database (%s): %w", engine, err)
	}
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("Database (%s): cannot connect: %w", engine, err)
	}
	return &DB{Engine: engine, sql: db}, nil
}

func openSQLite(conn string, poolSize int, root string) (*sql.DB, int, error) {
	conn = strings.TrimSpace(conn)
	var params map[string]string
	if conn == ":memory:" {
		params = map[string]string{"db": ":memory:"}
	} else {
		var err error
		if params, err = ParseConnString(conn); err != nil {
			return nil, 0, err
		}
	}
	name := params["db"]
	if name == "" {
		name = params["dbname"]
	}
	if name == "" {
		return nil, 0, errors.New(`no database file: pass "db=name.db" (relative to the server folder) or ":memory:"`)
	}
	q := url.Values{}
	timeout := 5.0 // seconds: concurrent async writers would fail at once with 0
	if t, ok := params["timeout"]; ok {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || f < 0 {
			return nil, 0, fmt.Errorf("timeout=%q is not a number of seconds", t)
		}
		timeout = f
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", int(timeout*1000)))
	if v := params["synchronous"]; v != "" {
		if strings.ContainsAny(v, "()'\";") {
			return nil, 0, fmt.Errorf("synchronous=%q is not a valid value: use off, normal, full or extra", v)
		}
		q.Add("_pragma", "synchronous("+v+")")
	}
	q.Add("_pragma", "foreign_keys(1)")
	var dsn string
	if name == ":memory:" {
		// Every connection would get its own empty database: use one.
		poolSize = 1
		dsn = "file::memory:?" + q.Encode()
	} else {
		if strings.ContainsAny(name, "?#") {
			return nil, 0, fmt.Errorf("database file name %q contains '?' or '#': choose a plain file name", name)
		}
		path, err := ConfinePath(root, name)
		if err != nil {
			return nil, 0, err
		}
		if ro := params["readonly"]; ro == "true" || ro == "1" {
			q.Set("mode", "ro")
		}
		dsn = "file:" + filepath.ToSlash(path) + "?" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	return db, poolSize, err
}

func openMySQL(conn, root string) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	var sec mysqlTLSKeys
	// The driver's own format never turned TLS on by itself; the nanos form
	// follows the MySQL client, which tries TLS when the server offers it.
	defaultMode := sslPreferred
	if strings.Contains(conn, "@") || strings.Contains(conn, "tcp(") {
		// A go-sql-driver DSN ("user:pass@tcp(host:port)/db") is accepted too.
		dsn, keys, err := takeDSNTLSKeys(conn)
		if err != nil {
			return nil, err
		}
		c, err := mysql.ParseDSN(dsn)
		if err != nil {
			return nil, fmt.Errorf("invalid MySQL DSN: %w", err)
		}
		cfg, sec, defaultMode = c, keys, sslDisabled
	} else {
		params, err := ParseConnString(conn)
		if err != nil {
			return nil, err
		}
		host, port := "127.0.0.1", "3306"
		for k, v := range params {
			switch k {
			case "db", "dbname":
				cfg.DBName = v
			case "user":
				cfg.User = v
			case "password", "pass":
				cfg.Passwd = v
			case "host":
				host = v
			case "port":
				port = v
			case "unix_socket":
				cfg.Net, cfg.Addr = "unix", v
			case "charset":
				cfg.Params = map[string]string{"charset": v}
			case "connect_timeout", "read_timeout", "write_timeout":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("%s=%q is not a whole number of seconds", k, v)
				}
				d := time.Duration(n) * time.Second
				switch k {
				case "connect_timeout":
					cfg.Timeout = d
				case "read_timeout":
					cfg.ReadTimeout = d
				default:
					cfg.WriteTimeout = d
				}
			case "sslca":
				sec.ca = v
			case "sslcert":
				sec.cert = v
			case "sslkey":
				sec.key = v
			case "ssl_mode", "ssl-mode", "sslmode":
				m, err := parseSSLMode(v)
				if err != nil {
					return nil, fmt.Errorf("%s=%q: %w", k, v, err)
				}
				sec.mode = m
			case "local_infile", "reconnect":
				// Accepted and ignored: local files are never readable (see
				// AllowAllFiles below) and the pool reconnects by itself.
			default:
				return nil, fmt.Errorf("unknown MySQL parameter %q: see the Database connection string docs", k)
			}
		}
		if cfg.Net != "unix" {
			cfg.Net, cfg.Addr = "tcp", net2(host, port)
		}
	}
	cfg.AllowAllFiles = false // never let scripts read arbitrary server files
	cfg.ParseTime = false     // dates come back as text, like the other engines
	host := ""
	if cfg.Net != "unix" {
		host, _, _ = net.SplitHostPort(cfg.Addr)
	}
	mode, tlsCfg, err := sec.build(host, root, defaultMode)
	if err != nil {
		return nil, err
	}
	cfg.TLS, cfg.TLSConfig = tlsCfg, ""
	if mode == sslPreferred && tlsCfg != nil {
		cfg.AllowFallbackToPlaintext = true
		// The driver clears TLS in the config it connects with when it falls
		// back to plain text; with a hook set it connects with a copy, so one
		// plain-text answer does not turn TLS off for every later connection.
		if err := cfg.Apply(mysql.BeforeConnect(func(context.Context, *mysql.Config) error { return nil })); err != nil {
			return nil, err
		}
	}
	inner, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(mysqlConnector{Connector: inner, addr: cfg.Addr, mode: mode}), nil
}

// mysqlConnector puts the server's address and the TLS mode into the
// driver's bare TLS errors ("server does not support TLS", a certificate
// that does not verify), on the first connection and every later one.
type mysqlConnector struct {
	driver.Connector
	addr string
	mode sslMode
}

func (c mysqlConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if errors.Is(err, mysql.ErrNoTLS) {
		return nil, fmt.Errorf("the MySQL server at %s does not support TLS, which ssl_mode=%s requires: enable TLS on the server, or use ssl_mode=preferred to accept a plain-text connection (%w)", c.addr, c.mode, err)
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return nil, fmt.Errorf("the MySQL server at %s failed the ssl_mode=%s certificate check: %w", c.addr, c.mode, err)
	}
	return conn, err
}

// sslMode is how a MySQL connection uses TLS, named as in the MySQL
// client's --ssl-mode.
type sslMode int

const (
	sslUnset sslMode = iota
	sslDisabled
	sslPreferred
	sslRequired
	sslVerifyCA
	sslVerifyIdentity
)

func (m sslMode) String() string {
	switch m {
	case sslDisabled:
		return "disabled"
	case sslPreferred:
		return "preferred"
	case sslRequired:
		return "required"
	case sslVerifyCA:
		return "verify_ca"
	case sslVerifyIdentity:
		return "verify_identity"
	}
	return "unset"
}

// parseSSLMode reads a mode in any case, with '-' or '_', and the libpq
// spellings operators often type by habit.
func parseSSLMode(v string) (sslMode, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v)), "-", "_") {
	case "disabled", "disable":
		return sslDisabled, nil
	case "preferred", "prefer":
		return sslPreferred, nil
	case "required", "require":
		return sslRequired, nil
	case "verify_ca":
		return sslVerifyCA, nil
	case "verify_identity", "verify_full":
		return sslVerifyIdentity, nil
	}
	return sslUnset, errors.New("not a TLS mode: use disabled, preferred, required, verify_ca or verify_identity")
}

// mysqlTLSKeys are the TLS settings of a MySQL connection string; the
// file names are relative to the server folder.
type mysqlTLSKeys struct {
	mode          sslMode
	ca, cert, key string
}

// takeDSNTLSKeys removes the TLS parameters from the query part of a
// go-sql-driver DSN: tls (the driver's values and the modes above),
// sslca, sslcert, sslkey and ssl_mode. What is left goes to the driver.
func takeDSNTLSKeys(dsn string) (string, mysqlTLSKeys, error) {
	var keys mysqlTLSKeys
	// Like the driver: the parameters follow the first '?' after the last '/'.
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return dsn, keys, nil
	}
	q := strings.IndexByte(dsn[slash+1:], '?')
	if q < 0 {
		return dsn, keys, nil
	}
	q += slash + 1
	var kept []string
	for _, p := range strings.Split(dsn[q+1:], "&") {
		k, raw, _ := strings.Cut(p, "=")
		lk := strings.ToLower(k)
		switch lk {
		case "tls", "sslca", "sslcert", "sslkey", "ssl_mode", "ssl-mode", "sslmode":
		default:
			kept = append(kept, p)
			continue
		}
		v, err := url.QueryUnescape(raw)
		if err != nil {
			return "", keys, fmt.Errorf("invalid MySQL DSN: %s=%q is not URL-escaped correctly: %w", k, raw, err)
		}
		switch lk {
		case "sslca":
			keys.ca = v
		case "sslcert":
			keys.cert = v
		case "sslkey":
			keys.key = v
		case "tls":
			// The driver's own values keep their meaning: true checks the
			// certificate and host, skip-verify checks nothing.
			switch strings.ToLower(v) {
			case "true", "1":
				keys.mode = sslVerifyIdentity
			case "false", "0":
				keys.mode = sslDisabled
			case "skip-verify":
				keys.mode = sslRequired
			default:
				m, err := parseSSLMode(v)
				if err != nil {
					return "", keys, fmt.Errorf("invalid MySQL DSN: tls=%q is not a TLS mode: use true, false, skip-verify, preferred, or disabled, required, verify-ca, verify-identity", v)
				}
				keys.mode = m
			}
		default:
			m, err := parseSSLMode(v)
			if err != nil {
				return "", keys, fmt.Errorf("invalid MySQL DSN: %s=%q: %w", k, v, err)
			}
			keys.mode = m
		}
	}
	out := dsn[:q]
	if len(kept) > 0 {
		out += "?" + strings.Join(kept, "&")
	}
	return out, keys, nil
}

// build resolves the mode and makes the driver's TLS config (nil for a
// plain-text connection). host is the server's name or address, "" for a
// Unix socket; root is the server folder the files are read from.
func (k mysqlTLSKeys) build(host, root string, defaultMode sslMode) (sslMode, *tls.Config, error) {
	mode := k.mode
	if mode == sslUnset {
		switch {
		case k.ca != "":
			mode = sslVerifyCA // a CA is given to check the server against
		case k.cert != "" || k.key != "":
			mode = sslRequired // a client certificate only travels over TLS
		default:
			mode = defaultMode
		}
	}
	if mode == sslDisabled {
		for _, f := range []struct{ key, val string }{{"sslca", k.ca}, {"sslcert", k.cert}, {"sslkey", k.key}} {
			if f.val != "" {
				return mode, nil, fmt.Errorf("%s=%q is set but ssl_mode=disabled turns TLS off: remove one of them", f.key, f.val)
			}
		}
		return mode, nil, nil
	}
	if mode == sslPreferred && host == "" && k.ca == "" && k.cert == "" && k.key == "" {
		// A local socket gains nothing from encryption; the MySQL client
		// does not try TLS on it either unless asked to.
		return mode, nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.ca != "" {
		pool, err := loadCAFile(root, k.ca)
		if err != nil {
			return mode, nil, err
		}
		cfg.RootCAs = pool
	}
	if k.cert != "" || k.key != "" {
		pair, err := loadClientPair(root, k.cert, k.key)
		if err != nil {
			return mode, nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	switch {
	case mode == sslVerifyIdentity:
		if host == "" {
			return mode, nil, errors.New("ssl_mode=verify_identity checks the server's host name, but a unix_socket has none: connect with host= or use ssl_mode=verify_ca")
		}
		cfg.ServerName = host
	case mode == sslVerifyCA || k.ca != "":
		// Check the chain but not the name; a CA that was given is never
		// ignored, even by preferred or required.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(cfg.RootCAs, k.ca)
	default:
		cfg.InsecureSkipVerify = true // preferred and required encrypt without checking
	}
	return mode, cfg, nil
}

// verifyChainOnly checks that the server's certificate chains to roots (the
// system's when nil) without comparing its names with the host.
func verifyChainOnly(roots *x509.CertPool, caFile string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("the MySQL server sent no TLS certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
			against := "the system's certificate authorities"
			if caFile != "" {
				against = "sslca=" + strconv.Quote(caFile)
			}
			return fmt.Errorf("the MySQL server's certificate does not verify against %s: %w", against, err)
		}
		return nil
	}
}

// readTLSFile reads a file named by a TLS key, confined to the server
// folder like every file a script names.
func readTLSFile(root, key, name string) ([]byte, string, error) {
	full, err := ConfinePath(root, name)
	if err != nil {
		return nil, "", fmt.Errorf("%s=%q: %w", key, name, err)
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, "", fmt.Errorf("%s=%q: cannot read the file: %w", key, name, err)
	}
	return data, full, nil
}

func loadCAFile(root, name string) (*x509.CertPool, error) {
	data, full, err := readTLSFile(root, "sslca", name)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("sslca=%q (%s): no PEM certificate in the file: give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)", name, full)
	}
	return pool, nil
}

// loadClientPair reads the client certificate and its key; without
// sslkey the key is looked for in the sslcert file.
func loadClientPair(root, certName, keyName string) (tls.Certificate, error) {
	if certName == "" {
		return tls.Certificate{}, fmt.Errorf("sslkey=%q is set without sslcert: give the client certificate that goes with the key", keyName)
	}
	certPEM, certFull, err := readTLSFile(root, "sslcert", certName)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !hasPEMBlock(certPEM, "CERTIFICATE") {
		return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s): no PEM certificate in the file", certName, certFull)
	}
	if keyName == "" {
		if !hasPEMBlock(certPEM, "PRIVATE KEY") {
			return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s) holds no private key: give the key file with sslkey=", certName, certFull)
		}
		pair, err := tls.X509KeyPair(certPEM, certPEM)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s): the certificate and the key in it do not form a pair: %w", certName, certFull, err)
		}
		return pair, nil
	}
	keyPEM, keyFull, err := readTLSFile(root, "sslkey", keyName)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !hasPEMBlock(keyPEM, "PRIVATE KEY") {
		return tls.Certificate{}, fmt.Errorf("sslkey=%q (%s): no PEM private key in the file", keyName, keyFull)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("sslcert=%q (%s) and sslkey=%q (%s) do not form a pair: %w", certName, certFull, keyName, keyFull, err)
	}
	return pair, nil
}

// hasPEMBlock reports whether data holds a PEM block whose type ends in
// kind ("PRIVATE KEY" matches RSA, EC and PKCS #8 keys).
func hasPEMBlock(data []byte, kind string) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if strings.HasSuffix(b.Type, kind) {
			return true
		}
	}
}

func net2(host, port string) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func openPostgres(conn string) (*sql.DB, error) {
	// pgx reads libpq keyword/value strings and postgres:// URLs, which is
	// exactly the documented format.
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL connection string: %w", err)
	}
	return stdlib.OpenDB(*cfg), nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// ParamError is a problem with the parameters of a query, found before the
// query is sent.
type ParamError struct{ Msg string }

// Error returns the message, which names the parameter.
func (e *ParamError) Error() string { return e.Msg }

// BindQuery rewrites nanos-style placeholders (:0, :1, ...; also written
// quoted as ':0') into the engine's own, reordering params to match. A
// query without them is passed through with params unchanged, so the
// engine's native ? or $1 placeholders also work.
func BindQuery(engine DatabaseEngine, query string, params []any) (string, []any, error) {
	for i, p := range params {
		switch v := p.(type) {
		case nil, bool, int64, string:
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return "", nil, &ParamError{fmt.Sprintf("parameter :%d is %v, which cannot be stored", i, v)}
			}
		default:
			return "", nil, &ParamError{fmt.Sprintf("parameter :%d is a %s: only nil, boolean, number and string can be bound", i, valueKind(p))}
		}
	}
	var b strings.Builder
	var args []any
	found := false
	n := len(query)
	for i := 0; i < n; {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			// A quoted ':N' is the legacy way of writing a string parameter.
			if c == '\'' {
				if idx, end, ok := quotedPlaceholder(query, i); ok {
					if idx >= len(params) {
						return "", nil, missingParam(idx, len(params))
					}
					found = true
					args = append(args, params[idx])
					b.WriteString(placeholder(engine, len(args)))
					i = end
					continue
				}
			}
			end := skipQuoted(query, i)
			b.WriteString(query[i:end])
			i = end
		case c == '-' && i+1 < n && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = n - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '/' && i+1 < n && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = n - i - 2
			} else {
				end += 2
			}
			b.WriteString(query[i : i+2+end])
			i += 2 + end
		case c == ':' && i+1 < n && query[i+1] == ':':
			b.WriteString("::") // PostgreSQL cast
			i += 2
		case c == ':' && i+1 < n && query[i+1] >= '0' && query[i+1] <= '9' && (i == 0 || !isIdentByte(query[i-1])):
			j := i + 1
			for j < n && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			idx, err := strconv.Atoi(query[i+1 : j])
			if err != nil || idx >= len(params) {
				return "", nil, missingParam(idx, len(params))
			}
			found = true
			args = append(args, params[idx])
			b.WriteString(placeholder(engine, len(args)))
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	if !found {
		return query, params, nil
	}
	return b.String(), args, nil
}

func missingParam(idx, have int) error {
	if have == 0 {
		return &ParamError{fmt.Sprintf("the query uses :%d but no parameters were given: pass them after the query", idx)}
	}
	return &ParamError{fmt.Sprintf("the query uses :%d but only %d parameter(s) were given (:0 to :%d)", idx, have, have-1)}
}

func isIdentByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func placeholder(engine DatabaseEngine, n int) string {
	if engine == EnginePostgreSQL {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// quotedPlaceholder recognises the literal ':N' starting at query[i].
func quotedPlaceholder(query string, i int) (idx, end int, ok bool) {
	j := i + 1
	if j >= len(query) || query[j] != ':' {
		return 0, 0, false
	}
	j++
	start := j
	for j < len(query) && query[j] >= '0' && query[j] <= '9' {
		j++
	}
	if j == start || j >= len(query) || query[j] != '\'' {
		return 0, 0, false
	}
	idx, err := strconv.Atoi(query[start:j])
	if err != nil {
		return 0, 0, false
	}
	return idx, j + 1, true
}

// skipQuoted returns the index just past the quoted text starting at i;
// a doubled quote character stands for itself.
func skipQuoted(query string, i int) int {
	q := query[i]
	j := i + 1
	for j < len(query) {
		if query[j] == '\\' && q != '`' {
			j += 2
			continue
		}
		if query[j] == q {
			if j+1 < len(query) && query[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(query)
}

// Row is one result row: column names in select order and their values
// (nil, bool, int64, float64 or string).
type Row struct {
	Columns []string
	Values  []any
}

// Execute runs a statement and returns the number of affected rows.
func (db *DB) Execute(ctx context.Context, query string, params []any) (int64, error) {
	q, args, err := BindQuery(db.Engine, query, params)
	if err != nil {
		return 0, err
	}
	res, err := db.sql.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil // the engine does not report it for this statement
	}
	return n, nil
}

// Select runs a query and returns its rows.
func (db *DB) Select(ctx context.Context, query string, params []any) ([]Row, error) {
	q, args, err := BindQuery(db.Engine, query, params)
	if err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	types, _ := rows.ColumnTypes()
	var out []Row
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			typeName := ""
			if i < len(types) && types[i] != nil {
				typeName = types[i].DatabaseTypeName()
			}
			vals[i] = normalizeSQLValue(v, typeName)
		}
		out = append(out, Row{Columns: cols, Values: vals})
	}
	return out, rows.Err()
}

// normalizeSQLValue maps what the three drivers return onto Lua's types:
// integers stay integers, decimals become floats, text and blobs strings,
// times text.
func normalizeSQLValue(v any, typeName string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return x
	case int64:
		if typeName == "BOOL" {
			return x != 0
		}
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case int:
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case uint32:
		return int64(x)
	case float64:
		return x
	case float32:
		return float64(x)
	case string:
		return convertTextByType(x, typeName)
	case []byte:
		return convertTextByType(string(x), typeName)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 && (typeName == "DATE") {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	default:
		return fmt.Sprint(x)
	}
}

// convertTextByType turns numbers that a driver returned as text (MySQL
// text protocol, NUMERIC) into Lua numbers, based on the column type.
func convertTextByType(s, typeName string) any {
	switch typeName {
	case "INT", "INTEGER", "TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "INT2", "INT4", "INT8",
		"UNSIGNED INT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT", "UNSIGNED BIGINT", "YEAR":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case "FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC", "FLOAT4", "FLOAT8":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "BOOL", "BOOLEAN":
		switch s {
		case "1", "t", "true":
			return true
		case "0", "f", "false":
			return false
		}
	}
	return s
}
