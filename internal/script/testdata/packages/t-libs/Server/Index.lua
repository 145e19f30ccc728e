-- The libraries used from a package, through the host: structs, JSON, TOML, the Nanos
-- utilities, File confined to the server folder, Database (SQLite) with its asynchronous
-- forms, HTTP against the Go test's local server. Callbacks run on later ticks.
local t = Package.Require("testlib/harness.lua")("t-libs")

-- Structs and their operators.
local v = Vector(1, 2, 3) + Vector(1, 1, 1) * 2
t.ok(v == Vector(3, 4, 5), "Vector arithmetic")
t.ok(math.abs(Vector(3, 4, 0):Size() - 5) < 1e-9, "Vector:Size")
t.ok(Vector(0, 0, 10):GetSafeNormal() == Vector(0, 0, 1), "Vector:GetSafeNormal")
local r = Rotator(0, 90, 0)
local fwd = r:GetForwardVector()
t.ok(math.abs(fwd.Y - 1) < 1e-6 and math.abs(fwd.X) < 1e-6, "Rotator:GetForwardVector")
local q = r:Quaternion()
t.ok(math.abs(q:Rotator().Yaw - 90) < 1e-4, "Rotator -> Quat -> Rotator")
t.eq(Color.FromHEX("#FF0000"):ToHex(false), "#FF0000", "Color hex round trip without transparency")
t.ok(Vector2D(1, 2) + Vector2D(3, 4) == Vector2D(4, 6), "Vector2D arithmetic")
t.ok(tostring(Vector(1, 2, 3)):find("1", 1, true) ~= nil, "Vector __tostring")

-- Codecs.
local doc = { name = "arena", spawns = { 1, 2, 3 }, ratio = 0.5 }
local back = JSON.parse(JSON.stringify(doc))
t.eq(back.name, "arena", "JSON round trip string") t.eq(back.spawns[3], 3, "JSON round trip array")
t.eq(back.ratio, 0.5, "JSON round trip float")
local tdoc = TOML.Parse(TOML.Dump({ server = { port = 7777, name = "x" } }))
t.eq(tdoc.server.port, 7777, "TOML round trip integer") t.eq(tdoc.server.name, "x", "TOML round trip string")

-- Utilities.
t.eq(NanosMath.Clamp(15, 0, 10), 10, "NanosMath.Clamp")
t.eq(NanosMath.Round(2.6), 3, "NanosMath.Round")
local orig = { a = 1, nested = {} }
local copy = NanosTable.ShallowCopy(orig)
t.ok(copy ~= orig and copy.a == 1 and copy.nested == orig.nested, "NanosTable.ShallowCopy")
t.eq(type(NanosTable.Dump({ 1, 2 })), "string", "NanosTable.Dump")
t.eq(NanosUtils.IsEntityValid(nil), false, "NanosUtils.IsEntityValid(nil)")
t.eq(Server.IsUnsafeLibsEnabled(), false, "no unsafe libs") t.eq(io, nil, "no io: File is the way")

-- File: inside the server folder only.
local f = File("t-libs/notes.txt", true)
t.eq(f:IsGood(), false, "a file in a missing folder cannot be opened")
f:Close()
t.eq(File.CreateDirectory("t-libs"), true, "File.CreateDirectory")
f = File("t-libs/notes.txt", true)
f:Write("alpha\nbeta\n") f:Close()
t.eq(File.Exists("t-libs/notes.txt"), true, "File.Exists")
t.eq(File.IsRegularFile("t-libs/notes.txt"), true, "File.IsRegularFile")
f = File("t-libs/notes.txt")
t.eq(f:ReadLine(), "alpha", "File:ReadLine")
t.eq(f:Size(), 11, "File:Size")
f:Close()
t.fails(function() File("../escape.txt", true) end, "..", "a path with .. that leaves the server folder")
t.fails(function() File.Exists("../../etc/passwd") end, "..", "File.Exists outside the server folder")

-- Database (SQLite, the default engine) with parameters; a bad parameter is an error.
local db = Database(DatabaseEngine.SQLite, "db=t-libs/test.db")
db:Execute("CREATE TABLE scores (name TEXT, points INTEGER, ratio REAL)")
t.eq(db:Execute("INSERT INTO scores VALUES (:0, :1, :2)", "ann", 10, 0.25), 1, "Execute returns affected rows")
db:Execute("INSERT INTO scores VALUES (:0, :1, :2)", "bob", 7, 1.5)
local rows = db:Select("SELECT name, points, ratio FROM scores WHERE points > :0 ORDER BY name", 5)
t.eq(#rows, 2, "Select rows") t.eq(rows[1].name, "ann", "text column")
t.eq(math.type(rows[1].points), "integer", "integer column") t.eq(rows[2].ratio, 1.5, "real column")
t.fails(function() db:Select("SELECT * FROM scores WHERE name = :0", { "table" }) end, "parameter", "a table parameter is refused")
t.fails(function() db:Select("SELECT * FROM scores WHERE name = :1", "only one") end, ":1", "a parameter index past the arguments")

Async = {}
db:SelectAsync("SELECT COUNT(*) AS n FROM scores", function(res) Async.count = res[1].n end)
db:ExecuteAsync("UPDATE scores SET points = points + 1 WHERE name = :0", function(n) Async.updated = n end, "bob")

-- HTTP: the Go test calls this with its local server's address.
function StartHTTP(url)
	HTTP.RequestAsync(url, "/hello", HTTPMethod.GET, "", "text/plain", false, {}, function(status, data)
		Async.http = status .. " " .. data
	end)
	local res = HTTP.Request(url, "/sync")
	Async.sync = res.Status .. " " .. res.Data
end

Package.Subscribe("Unload", function()
	t.eq(Async.count, 2, "SelectAsync callback ran on a tick")
	t.eq(Async.updated, 1, "ExecuteAsync callback ran on a tick")
	t.eq(Async.http, "200 hello /hello", "RequestAsync callback ran on a tick")
	t.eq(Async.sync, "200 hello /sync", "HTTP.Request")
	db:Close()
	t.done()
end)
