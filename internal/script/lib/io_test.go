package lib

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/manifest"
)

func TestHTTPInLua(t *testing.T) {
	var slowHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/slow":
			slowHits.Add(1)
			select {
			case <-r.Context().Done(): // the client gave up
			case <-time.After(3 * time.Second):
			}
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"players_count":0,"server_name":"nanos world server"}`)
			return
		}
		w.Header().Set("X-Echo-Method", r.Method)
		w.Header().Set("X-Echo-Token", r.Header.Get("Token"))
		w.WriteHeader(202)
		_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Content-Type")+" "+string(body))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	e := newTestEnv(t)
	e.L.PushString(addr)
	if err := e.L.SetGlobal("ADDR"); err != nil {
		t.Fatal(err)
	}
	e.run(`
		HTTPMethod = {GET = 0, POST = 1, PUT = 2, HEAD = 3, DELETE = 4, PATCH = 5, OPTIONS = 6}
		local ret = HTTP.Request(ADDR, "/json")
		eq(ret.Status, 200, "status") eq(ret.Headers["Content-Type"], "application/json", "header")
		eq(JSON.parse(ret.Data).server_name, "nanos world server", "body")

		ret = HTTP.Request(ADDR, "/post?x=1", HTTPMethod.POST, "hello", "text/plain", false, {Token = "abc"})
		eq(ret.Status, 202, "post status") eq(ret.Data, "POST /post?x=1 text/plain hello", "post body")
		eq(ret.Headers["X-Echo-Token"], "abc", "request header sent")
		eq(HTTP.Request(ADDR, "/", "put").Headers["X-Echo-Method"], "PUT", "method by name")
		fails(function() HTTP.Request(ADDR, "/", 42) end, "unknown HTTPMethod 42")
		fails(function() HTTP.Request(ADDR, "/", "FETCH") end, "unknown HTTP method")
		fails(function() HTTP.Request(ADDR, "/", 0, "", "", false, {1}) end, "headers must map")
		fails(function() HTTP.Request() end, "bad argument #1")

		got = {}
		HTTP.RequestAsync(ADDR, "/a", HTTPMethod.DELETE, "", "application/json", false, {}, function(status, data, headers)
			got.status, got.data, got.method = status, data, headers["X-Echo-Method"]
		end)
		eq(got.status, nil, "callback does not run before the tick")
		HTTP.RequestAsync(ADDR, "/nocallback")
	`)
	e.settle()
	e.run(`
		eq(got.status, 202, "async status") eq(got.method, "DELETE", "async method") eq(got.data, "DELETE /a  ", "async body")
	`)

	// Timeouts: a read/write timeout of 1 s stops the 3 s handler.
	e.run(`
		HTTP.SetReadWriteTimeout(1)
		local ret = HTTP.Request(ADDR, "/slow")
		eq(ret.Status, 0, "timed out request has status 0")
		assert(ret.Data:lower():find("timeout"), "reason mentions the timeout: " .. ret.Data)
		HTTP.SetReadWriteTimeout(0)
	`)
	if !e.logged("timeout") {
		t.Error("the timed-out request was not logged")
	}
	if n := slowHits.Load(); n != 1 {
		t.Errorf("the timed-out request reached the server %d times, want 1 (no silent retry)", n)
	}

	// The legacy callback form of HTTP.Request still works asynchronously.
	e.run(`
		legacy = nil
		HTTP.Request(ADDR, "/legacy", "GET", "", "application/json", false, {}, function(status) legacy = status end)
	`)
	e.settle()
	e.run(`eq(legacy, 202, "legacy callback")`)
	if !slices.Contains(e.host.deprecated, "HTTP.Request with a callback (use HTTP.RequestAsync)") {
		t.Errorf("deprecations = %v", e.host.deprecated)
	}
}

// databaseLuaScenario runs the same Lua checks against one engine; conn
// is the connection string and table a unique table name.
func databaseLuaScenario(t *testing.T, engine int, conn, table string) {
	e := newTestEnv(t)
	e.L.PushString(conn)
	_ = e.L.SetGlobal("CONN")
	e.L.PushString(table)
	_ = e.L.SetGlobal("T")
	e.L.PushInteger(int64(engine))
	_ = e.L.SetGlobal("ENGINE")
	e.run(`
		db = Database(ENGINE, CONN, 4)
		assert(db, "connected")
		assert(tostring(db):find("open"), "tostring")
		local idtype = ENGINE == 1 and "BIGINT" or "INTEGER"
		local n, err = db:Execute("CREATE TABLE " .. T .. " (id " .. idtype .. ", name VARCHAR(100), score DOUBLE PRECISION, note TEXT)")
		eq(err, nil, "create error")
		n, err = db:Execute("INSERT INTO " .. T .. " VALUES (:0, :1, :2, :3)", 1, "amazing", 2.5, nil)
		eq(n, 1, "insert count") eq(err, nil, "insert error")
		db:Execute("INSERT INTO " .. T .. " VALUES (:0, ':1', :2, :3)", 2, "it's", 3.0, "x")

		local rows, err = db:Select("SELECT id, name, score, note FROM " .. T .. " WHERE name = :0", "amazing")
		eq(err, nil, "select error") eq(#rows, 1, "one row")
		eq(rows[1].id, 1, "id") eq(math.type(rows[1].id), "integer", "id is an integer")
		eq(rows[1].name, "amazing", "name") eq(rows[1].score, 2.5, "score") eq(rows[1].note, nil, "NULL is nil")
		rows = db:Select("SELECT name FROM " .. T .. " WHERE id = :0", 2)
		eq(rows[1].name, "it's", "quoted placeholder binds safely")

		fails(function() db:Select("SELECT * FROM " .. T .. " WHERE id = :1", 1) end, "uses :1 but only 1 parameter(s) were given")
		fails(function() db:Execute("INSERT INTO " .. T .. " (id) VALUES (:0)", {}) end, "only nil, boolean, number and string")
		fails(function() db:SelectAsync("SELECT :0", function() end) end, "no parameters were given")
		fails(function() db.Select("SELECT 1") end, "call it with ':'")

		local bad_rows, bad_err = db:Select("SELEKT")
		eq(#bad_rows, 0, "failed select gives an empty table") assert(type(bad_err) == "string", "and an error message")
		local bad_n, bad_err2 = db:Execute("INSERT INTO missing_table_xyz VALUES (1)")
		eq(bad_n, 0, "failed execute count") assert(bad_err2, "failed execute error")

		async = {}
		db:ExecuteAsync("UPDATE " .. T .. " SET note = :0", function(affected, err) async.updated, async.uerr = affected, err end, "all")
		db:SelectAsync("SELECT COUNT(*) AS c FROM " .. T, function(rows, err) async.count = rows[1].c end)
		db:ExecuteAsync("INSERT INTO " .. T .. " (id) VALUES (:0)", nil, 3)
	`)
	e.settle()
	e.run(`
		assert(async.updated == 2 or async.updated == 3, "async update count (the async insert may run first): " .. tostring(async.updated)) eq(async.uerr, nil, "async update error")
		assert(async.count == 2 or async.count == 3, "async select count: " .. tostring(async.count))
		local rows = db:Select("SELECT COUNT(*) AS c FROM " .. T)
		eq(rows[1].c, 3, "async insert without callback happened")
		-- The pre-1.29 callback form of Execute still works.
		db:Execute("DELETE FROM " .. T .. " WHERE id = :0", function(n) legacy_deleted = n end, 3)
	`)
	e.settle()
	e.run(`
		eq(legacy_deleted, 1, "legacy Execute callback")
		db:Execute("DROP TABLE " .. T)
		db:Close()
		db:Close()
		fails(function() db:Select("SELECT 1") end, "the database is closed")
	`)
}

func TestDatabaseSQLiteInLua(t *testing.T) {
	databaseLuaScenario(t, 0, "db=test.db timeout=2", "t_lua")
	e := newTestEnv(t)
	e.run(`
		DatabaseEngine = {SQLite = 0, MySQL = 1, PostgreSQL = 2}
		eq(Database(DatabaseEngine.SQLite, "db=../outside.db"), nil, "escaping file gives nil")
		eq(Database(7, "db=x.db"), nil, "unknown engine gives nil")
		fails(function() Database("Oracle", "x") end, "unknown database engine")
		local mem = Database("sqlite", ":memory:")
		mem:Execute("CREATE TABLE t (v TEXT)")
		mem:Execute("INSERT INTO t VALUES (?)", "native placeholder")
		eq(mem:Select("SELECT v FROM t")[1].v, "native placeholder", "native ? placeholders")
		mem:Close()
	`)
	if !e.logged("leaves the server folder") {
		t.Errorf("escaping database path not logged; logs: %s", e.host.logs.String())
	}
}

func TestDatabasePostgresInLua(t *testing.T) {
	url := os.Getenv("NANOFORGE_TEST_POSTGRES")
	if url == "" {
		t.Skip("NANOFORGE_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable); skipping the PostgreSQL test")
	}
	databaseLuaScenario(t, 2, url, uniqueName("nf_lua_pg"))
}

func TestDatabaseMySQLInLua(t *testing.T) {
	conn := mysqlTestConn(t)
	databaseLuaScenario(t, 1, conn, uniqueName("nf_lua_my"))
}

func TestFileInLua(t *testing.T) {
	e := newTestEnv(t)
	outside := filepath.Join(filepath.Dir(e.host.dir), "outside-"+filepath.Base(e.host.dir))
	e.run(`
		local f = File("data.txt")
		eq(f:IsGood(), true, "good")
		f:Write("first line\nsecond line\n")
		f:Flush()
		eq(f:Tell(), 23, "Tell after Write") eq(f:Size(), 23, "Size")
		f:Seek(0)
		eq(f:ReadLine(), "first line", "ReadLine 1") eq(f:ReadLine(), "second line", "ReadLine 2")
		eq(f:ReadLine(), "", "ReadLine at end") eq(f:IsEOF(), true, "IsEOF") eq(f:HasFailed(), true, "HasFailed")
		f:Seek(6)
		eq(f:IsEOF(), false, "Seek clears eof")
		eq(f:Read(4), "line", "Read(n)") f:Skip(1) eq(f:Read(6), "second", "Skip")
		eq(f:Read(), "first line\nsecond line\n", "Read() reads the whole file")
		eq(f:Read(0), "first line\nsecond line\n", "Read(0) is the whole file")
		assert(tostring(f):find("data.txt"), "tostring")
		f:Close()
		eq(f:IsBad(), true, "closed file is bad") eq(f:Read(1), "", "read after close")

		local t = File("data.txt", true)
		eq(t:Size(), 0, "truncate") t:Write('{"a":[1,2],"b":"x"}') t:Close()
		local j = File("data.txt")
		local v = j:ReadJSON()
		eq(v.a[2], 2, "ReadJSON") eq(v.b, "x", "ReadJSON string")
		async = {}
		j:ReadJSONAsync(function(tbl) async.json = tbl end)
		j:Seek(1)
		j:ReadAsync(4, function(s) async.part = s end)
		j:ReadAsync(0, function(s) async.all = s end)
		j:ReadAsync(1 << 40, function(s) async.huge = s end)
		eq(j:Read(1 << 40), '"a":[1,2],"b":"x"}', "a huge length reads what there is from the position")

		fails(function() File("../escape.txt") end, '"../escape.txt" leaves the server folder')
		fails(function() File("/etc/passwd") end, "is absolute")
		fails(function() File.Exists("../x") end, "leaves the server folder")
		fails(function() File.Remove("sub/../../x") end, "leaves the server folder")

		eq(File.CreateDirectory("a/b/c"), true, "CreateDirectory")
		eq(File.IsDirectory("a/b"), true, "IsDirectory") eq(File.IsRegularFile("a/b"), false, "dir is not a regular file")
		eq(File.IsRegularFile("data.txt"), true, "IsRegularFile") eq(File.Exists("nope"), false, "Exists false")
		local w = File("a/b/c/x.lua") w:Write("return 1") w:Close()
		local w2 = File("a/y.json") w2:Write("{}") w2:Close()
		local files = File.GetFiles("a", ".lua")
		eq(#files, 1, "GetFiles by extension") eq(files[1], "a/b/c/x.lua", "GetFiles path")
		eq(#File.GetFiles({"a", "a/b"}), 3, "GetFiles with several folders")
		eq(#File.GetFiles("a", "", 0), 1, "GetFiles depth 0")
		local dirs = File.GetDirectories("a")
		eq(#dirs, 2, "GetDirectories") eq(dirs[1], "a/b", "GetDirectories order")
		assert(File.Time("data.txt") > 1600000000, "Time")
		eq(File.Rename("a/y.json", "a/z.json"), true, "Rename") eq(File.Exists("a/z.json"), true, "renamed")
		assert(File.GetFullPath("a"):sub(-2) == "/a", "GetFullPath")
		eq(File.Remove("a"), 5, "Remove counts entries") eq(File.Exists("a"), false, "removed")
	`)
	e.settle()
	e.run(`
		eq(async.json.b, "x", "ReadJSONAsync") eq(async.part, '"a":', "ReadAsync(n) from the position")
		eq(async.all, '{"a":[1,2],"b":"x"}', "ReadAsync(0)")
		eq(async.huge, '"a":[1,2],"b":"x"}', "ReadAsync with a huge length")
	`)
	if _, err := os.Stat(outside); err == nil {
		t.Error("a file was created outside the server folder")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.host.dir), "escape.txt")); err == nil {
		t.Error("escape.txt was created outside the server folder")
	}
}

func TestFileSymlinkEscape(t *testing.T) {
	e := newTestEnv(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.host.dir, "link")); err != nil {
		t.Fatal(err)
	}
	e.run(`
		fails(function() File("link/secret.txt") end, "symbolic link")
		fails(function() File.Exists("link/secret.txt") end, "symbolic link")
	`)
}

func TestAssetsInLua(t *testing.T) {
	e := newTestEnv(t)
	e.host.packs = []AssetPack{{
		Path: "nanos-world", Name: "nanos world", Author: "nanos", Version: "1.0.0",
		Assets: map[string][]Asset{
			"static_meshes": {{Key: "SM_Cube", Path: "Meshes/SM_Cube"}, {Key: "SM_Ball", Path: "Meshes/SM_Ball", Meta: map[string]any{"collision": true}}},
			"maps":          {{Key: "BlankMap", Path: "Maps/BlankMap"}},
		},
	}}
	e.run(`
		AssetType = {Map = 2, StaticMesh = 4, SkeletalMesh = 8, Sound = 16, Animation = 32, Particle = 64, Material = 128, Blueprint = 256, Other = 32768}
		local packs = Assets.GetAssetPacks()
		eq(#packs, 1, "one pack") eq(packs[1].Name, "nanos world", "Name") eq(packs[1].Path, "nanos-world", "Path")
		eq(packs[1].Author, "nanos", "Author") eq(packs[1].Version, "1.0.0", "Version")
		local meshes = Assets.GetStaticMeshes("nanos-world")
		eq(#meshes, 2, "two meshes") eq(meshes[1].key, "SM_Ball", "sorted by key") eq(meshes[1].collision, true, "metadata")
		eq(Assets.GetMaps("nanos-world")[1].key, "BlankMap", "maps")
		eq(#Assets.GetSounds("nanos-world"), 0, "empty category")
		eq(#Assets.GetSounds("unknown-pack"), 0, "unknown pack gives an empty list")
		for _, fn in ipairs({"GetAnimations", "GetBlueprints", "GetMaterials", "GetParticles", "GetSkeletalMeshes", "GetOthers"}) do
			eq(type(Assets[fn]("nanos-world")), "table", fn)
		end
		eq(Assets.GetAssetPath("nanos-world::SM_Cube", AssetType.StaticMesh), "Meshes/SM_Cube", "GetAssetPath")
		eq(Assets.GetAssetPath("nanos-world::SM_Cube", AssetType.Sound), "", "wrong type")
		fails(function() Assets.GetAssetPath("SM_Cube", AssetType.StaticMesh) end, "asset-pack::AssetKey")
		fails(function() Assets.GetAssetPath("a::b", 3) end, "unknown AssetType 3")
		Assets.Precache("nanos-world::SM_Cube", AssetType.StaticMesh)
		Assets.Precache("nanos-world::SM_Cube", AssetType.StaticMesh)
		Assets.Precache("nanos-world::BlankMap", AssetType.Map)
	`)
	got := e.libs.Precached()
	want := []Precached{{"nanos-world::SM_Cube", AssetStaticMesh}, {"nanos-world::BlankMap", AssetMap}}
	if !slices.Equal(got, want) {
		t.Errorf("Precached = %v, want %v", got, want)
	}
	if !e.logged("unknown-pack") {
		t.Error("unknown asset pack not logged")
	}
}

func TestAssetPackFromManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	toml := `[meta]
title = "My Pack"
author = "me"
version = "1.2.3"

[unreal]
unreal_folders = ["MyPack"]

[assets.static_meshes]
SM_Chair = "Meshes/SM_Chair"
SM_Table = { path = "Meshes/SM_Table", tags = "furniture" }

[assets.sounds]
A_Click = "Sounds/A_Click"
`
	if err := os.WriteFile(filepath.Join(dir, "Assets.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _, err := manifest.LoadAssetsDir(dir, manifest.LoadOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	e.host.packs = []AssetPack{AssetPackFromManifest(m)}
	e.run(`
		local p = Assets.GetAssetPacks()[1]
		eq(p.Path, "my-pack", "Path is the folder") eq(p.Name, "My Pack", "Name is the title") eq(p.Version, "1.2.3", "Version")
		local meshes = Assets.GetStaticMeshes("my-pack")
		eq(#meshes, 2, "meshes") eq(meshes[2].key, "SM_Table", "key") eq(meshes[2].tags, "furniture", "metadata") eq(meshes[2].path, "Meshes/SM_Table", "path")
		eq(Assets.GetAssetPath("my-pack::A_Click", 16), "Sounds/A_Click", "GetAssetPath")
	`)
}

func TestLibsCloseClosesFilesAndDatabases(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		kept = File("kept.txt") kept:Write("x")
		closed = File("closed.txt") closed:Close()
		db = Database(0, ":memory:")
	`)
	e.libs.Close()
	e.run(`
		eq(kept:IsBad(), true, "open File closed by Libs.Close")
		fails(function() db:Select("SELECT 1") end, "the database is closed")
		fails(function() HTTP.RequestAsync("127.0.0.1:1", "/") end, "closed")
		fails(function() db:SelectAsync("SELECT 1") end, "closed")
	`)
}

// compatHost adds CompatibilityVersion to the test host.
type compatHost struct {
	*fakeHost
	version string
}

func (c *compatHost) CompatibilityVersion(*lua.State) string { return c.version }

func TestAssetsCompatibilityFormat(t *testing.T) {
	for _, tt := range []struct {
		version string
		legacy  bool
	}{{"1.54", true}, {"1.25", true}, {"0.99", true}, {"1.55", false}, {"1.103", false}, {"2.0", false}, {"", false}, {"x.y", false}} {
		L, err := lua.New(lua.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fh := &fakeHost{dir: t.TempDir(), log: slog.New(slog.NewTextHandler(io.Discard, nil)), packs: []AssetPack{{Path: "p", Assets: map[string][]Asset{"sounds": {{Key: "A", Path: "S/A"}}}}}}
		libs, err := Register(L, &compatHost{fakeHost: fh, version: tt.version})
		if err != nil {
			t.Fatal(err)
		}
		if err := L.DoStringResults(`return type(Assets.GetSounds("p")[1])`, "=t", 1); err != nil {
			t.Fatal(err)
		}
		got, _ := L.ToString(-1)
		want := "table"
		if tt.legacy {
			want = "string"
		}
		if got != want {
			t.Errorf("compatibility_version %q: element type %s, want %s", tt.version, got, want)
		}
		libs.Close()
		L.Close()
	}
}

// blockingHost records the synchronous waits handed to Blocking.
type blockingHost struct {
	*fakeHost
	waits int
}

func (b *blockingHost) Blocking(_ *lua.State, fn func()) {
	b.waits++
	fn()
}

func TestBlockingHostWrapsSynchronousWaits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	L, err := lua.New(lua.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	bh := &blockingHost{fakeHost: &fakeHost{dir: t.TempDir(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	libs, err := Register(L, bh)
	if err != nil {
		t.Fatal(err)
	}
	defer libs.Close()
	L.PushString(srv.URL)
	_ = L.SetGlobal("URL")
	err = L.DoString(`
		assert(HTTP.Request(URL, "/").Data == "ok")
		local db = Database(0, ":memory:")
		db:Execute("CREATE TABLE t (n INTEGER)")
		assert(#db:Select("SELECT * FROM t") == 0)
		db:Close()
		JSON.stringify({1})
	`, "=t")
	if err != nil {
		t.Fatal(err)
	}
	if bh.waits != 4 { // request, connect, execute, select
		t.Fatalf("Blocking called %d times, want 4", bh.waits)
	}
}
