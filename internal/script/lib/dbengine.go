package lib

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
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
			case "local_infile", "reconnect":
				// Accepted and ignored: local files are never readable (see
				// AllowAllFiles below) and the pool reconnects by itself.
			default:
				known, err := sec.set(k, v)
				if err != nil {
					return nil, err
				}
				if !known {
					return nil, fmt.Errorf("unknown MySQL parameter %q: see the Database connection string docs", k)
				}
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
