package lib

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestParseConnString(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		err  string
	}{
		{"db=test.db timeout=2", map[string]string{"db": "test.db", "timeout": "2"}, ""},
		{"  host=127.0.0.1   user=postgres dbname=test ", map[string]string{"host": "127.0.0.1", "user": "postgres", "dbname": "test"}, ""},
		{"password='a b\\'c' DB = x", map[string]string{"password": "a b'c", "db": "x"}, ""},
		{"a=1;b=2", map[string]string{"a": "1", "b": "2"}, ""},
		{"", map[string]string{}, ""},
		{"db", nil, "has no value"},
		{"password='open", nil, "no closing quote"},
		{"=x", nil, "empty name"},
	}
	for _, tt := range tests {
		got, err := ParseConnString(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseConnString(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseConnString(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestBindQuery(t *testing.T) {
	tests := []struct {
		engine DatabaseEngine
		query  string
		params []any
		want   string
		args   []any
		err    string
	}{
		{EngineSQLite, "SELECT * FROM t WHERE a = :0 AND b = :1", []any{int64(1), "x"}, "SELECT * FROM t WHERE a = ? AND b = ?", []any{int64(1), "x"}, ""},
		{EngineSQLite, "SELECT :1, :0, :1", []any{"a", "b"}, "SELECT ?, ?, ?", []any{"b", "a", "b"}, ""},
		{EnginePostgreSQL, "SELECT :1, :0", []any{"a", "b"}, "SELECT $1, $2", []any{"b", "a"}, ""},
		{EngineSQLite, "INSERT INTO t VALUES (:0, ':1')", []any{int64(123), "v"}, "INSERT INTO t VALUES (?, ?)", []any{int64(123), "v"}, ""},
		{EngineSQLite, "SELECT ':0x', 'a:0', \"c:1\" -- :5\n/* :7 */ FROM t WHERE x = :0", []any{nil}, "SELECT ':0x', 'a:0', \"c:1\" -- :5\n/* :7 */ FROM t WHERE x = ?", []any{nil}, ""},
		{EnginePostgreSQL, "SELECT x::int FROM t WHERE y = :0", []any{1.5}, "SELECT x::int FROM t WHERE y = $1", []any{1.5}, ""},
		{EngineSQLite, "SELECT 'it''s :0' , :0", []any{true}, "SELECT 'it''s :0' , ?", []any{true}, ""},
		{EngineMySQL, "SELECT * FROM t WHERE a = ?", []any{int64(7)}, "SELECT * FROM t WHERE a = ?", []any{int64(7)}, ""},
		{EngineSQLite, "SELECT a:0", nil, "SELECT a:0", nil, ""},
		{EngineSQLite, "SELECT :2", []any{"a", "b"}, "", nil, "uses :2 but only 2 parameter(s) were given (:0 to :1)"},
		{EngineSQLite, "SELECT :0", nil, "", nil, "no parameters were given"},
		{EngineSQLite, "SELECT :0", []any{map[string]any{}}, "", nil, "only nil, boolean, number and string"},
	}
	for _, tt := range tests {
		got, args, err := BindQuery(tt.engine, tt.query, tt.params)
		if tt.err != "" {
			var pe *ParamError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("BindQuery(%q) error = %v, want ParamError %q", tt.query, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want || !reflect.DeepEqual(args, tt.args) {
			t.Errorf("BindQuery(%q) = %q %#v %v; want %q %#v", tt.query, got, args, err, tt.want, tt.args)
		}
	}
}

// dbCase runs the same scenario against one engine. table is unique per
// run so parallel test processes cannot collide.
func dbCase(t *testing.T, db *DB, table string) {
	ctx := context.Background()
	idType := "INTEGER"
	if db.Engine == EngineMySQL {
		idType = "BIGINT"
	}
	if _, err := db.Execute(ctx, "CREATE TABLE "+table+" (id "+idType+", name VARCHAR(100), score DOUBLE PRECISION, note TEXT)", nil); err != nil {
		t.Fatalf("create: %v", err)
	}
	n, err := db.Execute(ctx, "INSERT INTO "+table+" VALUES (:0, :1, :2, :3)", []any{int64(1), "amazing", 2.5, nil})
	if err != nil || n != 1 {
		t.Fatalf("insert = %d, %v", n, err)
	}
	if _, err := db.Execute(ctx, "INSERT INTO "+table+" VALUES (:0, ':1', :2, :3)", []any{int64(2), "o'hara", -1.0, "x"}); err != nil {
		t.Fatalf("insert with quoted placeholder: %v", err)
	}
	rows, err := db.Select(ctx, "SELECT id, name, score, note FROM "+table+" WHERE id >= :0 ORDER BY id", []any{int64(1)})
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("select returned %d rows, want 2", len(rows))
	}
	want := [][]any{{int64(1), "amazing", 2.5, nil}, {int64(2), "o'hara", -1.0, "x"}}
	for i, r := range rows {
		if !reflect.DeepEqual(r.Columns, []string{"id", "name", "score", "note"}) {
			t.Errorf("columns = %v", r.Columns)
		}
		if !reflect.DeepEqual(r.Values, want[i]) {
			t.Errorf("row %d = %#v, want %#v", i, r.Values, want[i])
		}
	}
	n, err = db.Execute(ctx, "UPDATE "+table+" SET note = :0", []any{"all"})
	if err != nil || n != 2 {
		t.Errorf("update = %d, %v; want 2 rows", n, err)
	}
	if _, err := db.Select(ctx, "SELECT * FROM "+table+" WHERE id = :3", []any{int64(1)}); err == nil || !strings.Contains(err.Error(), ":3") {
		t.Errorf("select with a missing parameter: error = %v", err)
	}
	if _, err := db.Select(ctx, "SELEKT nonsense", nil); err == nil {
		t.Error("a syntax error was not reported")
	}
}

func uniqueName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

func TestDatabaseSQLite(t *testing.T) {
	root := t.TempDir()
	db, err := OpenDB(context.Background(), EngineSQLite, "db=test.db timeout=2", 4, root)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := db.sql.Stats().MaxOpenConnections; n != 4 {
		t.Errorf("pool size = %d, want 4", n)
	}
	dbCase(t, db, "t_sqlite")
	if _, err := os.Stat(root + "/test.db"); err != nil {
		t.Errorf("database file not created in the server folder: %v", err)
	}
}

func TestDatabaseSQLiteMemory(t *testing.T) {
	for _, conn := range []string{":memory:", "db=:memory:"} {
		db, err := OpenDB(context.Background(), EngineSQLite, conn, 10, t.TempDir())
		if err != nil {
			t.Fatalf("%s: %v", conn, err)
		}
		if n := db.sql.Stats().MaxOpenConnections; n != 1 {
			t.Errorf("%s: pool size = %d, want 1 (one shared in-memory database)", conn, n)
		}
		dbCase(t, db, "t_mem")
		db.Close()
	}
}

func TestDatabaseSQLiteConfined(t *testing.T) {
	for _, conn := range []string{"db=../escape.db", "db=/tmp/abs.db", "", "db=a.db?mode=memory"} {
		if db, err := OpenDB(context.Background(), EngineSQLite, conn, 1, t.TempDir()); err == nil {
			db.Close()
			t.Errorf("OpenDB(%q) succeeded, want an error", conn)
		}
	}
	if _, err := OpenDB(context.Background(), DatabaseEngine(9), "db=x", 1, t.TempDir()); err == nil || !strings.Contains(err.Error(), "unknown engine 9") {
		t.Errorf("unknown engine error = %v", err)
	}
}

func TestDatabasePostgres(t *testing.T) {
	url := os.Getenv("NANOFORGE_TEST_POSTGRES")
	if url == "" {
		t.Skip("NANOFORGE_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable); skipping the PostgreSQL test")
	}
	// Use the documented keyword/value form when the URL converts simply.
	db, err := OpenDB(context.Background(), EnginePostgreSQL, url, 4, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	table := uniqueName("nf_lib_pg")
	defer db.Execute(context.Background(), "DROP TABLE IF EXISTS "+table, nil)
	dbCase(t, db, table)
	// Booleans come back as booleans.
	rows, err := db.Select(context.Background(), "SELECT :0::boolean AS b, 12345678901::bigint AS n, 1.25::numeric AS d", []any{true})
	if err != nil || len(rows) != 1 || !reflect.DeepEqual(rows[0].Values, []any{true, int64(12345678901), 1.25}) {
		t.Fatalf("typed select = %#v, %v", rows, err)
	}
}

// mysqlTestConn turns NANOFORGE_TEST_MYSQL (a Go driver DSN) into the documented nanos
// connection-string form, skipping the test when the variable is unset.
func mysqlTestConn(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("NANOFORGE_TEST_MYSQL")
	if dsn == "" {
		t.Skip("NANOFORGE_TEST_MYSQL is not set (e.g. root@tcp(127.0.0.1:3306)/test); skipping the MySQL test")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("NANOFORGE_TEST_MYSQL: %v", err)
	}
	host, port, _ := strings.Cut(cfg.Addr, ":")
	conn := "host=" + host + " port=" + port + " user=" + cfg.User + " db=" + cfg.DBName
	if cfg.Passwd != "" {
		conn += " password='" + cfg.Passwd + "'"
	}
	return conn
}

func TestDatabaseMySQL(t *testing.T) {
	conn := mysqlTestConn(t)
	db, err := OpenDB(context.Background(), EngineMySQL, conn, 4, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	table := uniqueName("nf_lib_my")
	defer db.Execute(context.Background(), "DROP TABLE IF EXISTS "+table, nil)
	dbCase(t, db, table)
	if _, err := OpenDB(context.Background(), EngineMySQL, "host=127.0.0.1 bogus=1", 1, ""); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown MySQL parameter error = %v", err)
	}
}
