-- Package: identity, Require searchers and cache, LoadFile, files, persistent data, exports,
-- Load/Unload events.
local t = Package.Require("testlib/harness.lua")("t-package")

t.ok(SharedRan, "Shared/Index.lua ran before Server/Index.lua")
t.eq(Package.GetName(), "t-package", "GetName is the folder name")
t.eq(Package.GetTitle(), "Package Test", "GetTitle")
t.eq(Package.GetVersion(), "1.2.3", "GetVersion")
t.eq(Package.GetCompatibilityVersion(), "1.103", "GetCompatibilityVersion")
t.eq(Package.IsUnloading(), false, "IsUnloading while running")

-- Require: the five searchers.
t.eq(Package.Require("lib/a.lua"), "a+b", "relative to Server/, then relative to the requiring file")
t.eq(Package.Require("common.lua"), "shared-common", "Shared/ searcher")
t.eq(Package.Require("root.lua"), "package-root", "package root searcher")
t.eq(Package.Require("/root.lua"), "package-root", "a leading slash is ignored")
t.eq(Package.Require("Shared/common.lua"), "shared-common", "a path relative to the package root")
t.eq(Package.Require("testlib/value.lua"), "testlib-value", "Packages/ searcher")

-- Require caches, force_load re-runs.
local c1, extra = Package.Require("counter.lua")
local c2 = Package.Require("counter.lua")
t.eq(c1, 1, "first Require runs the file")
t.eq(extra, "second value", "Require returns every value the file returned")
t.eq(c2, 1, "the second Require returns the cached value")
t.eq(Package.Require("counter.lua", true), 2, "force_load runs the file again")
t.eq(RequireCount, 2, "the file's globals live in the package environment")

t.fails(function() Package.Require("nope.lua") end, "cannot find 'nope.lua'", "a missing file")
t.fails(function() Package.Require("broken.lua") end, "t-package/Server/broken.lua:1:", "a syntax error names file and line")
t.fails(function() Package.Require("raises.lua") end, "raised while loading", "a runtime error while loading")
t.fails(function() Package.Require("../../../../etc/passwd") end, "cannot find", "paths cannot climb out of the package")
t.fails(function() Package.Require(42) end, "non-empty string", "Require checks its argument")

-- LoadFile compiles without running; the function runs in the package or in a given env.
Marker = "package"
local f = Package.LoadFile("sandboxed.lua")
t.eq(type(f), "function", "LoadFile returns a function")
t.eq(f(), "package", "runs in the package environment")
t.eq(f({ Marker = "sandbox" }), "sandbox", "runs in a given environment")

-- Files and directories.
local files = Package.GetFiles()
t.ok(#files >= 9, "GetFiles lists the package's files")
local lua = table.concat(Package.GetFiles("Server/lib", ".lua"), ",")
t.eq(lua, "Server/lib/a.lua,Server/lib/b.lua", "GetFiles with a path and extension filter")
t.eq(#Package.GetFiles({ "Shared", "root" }), 3, "GetFiles with a table of path filters")
t.eq(table.concat(Package.GetDirectories("Server"), ","), "Server,Server/lib", "GetDirectories with a filter")

-- Persistent data: the Go test wrote counter = 41 before loading.
t.eq(Package.GetPersistentData("counter"), 41, "persistent data loaded from disk")
Package.SetPersistentData("counter", Package.GetPersistentData("counter") + 1)
Package.SetPersistentData("player.name", "alice")
Package.SetPersistentData("player.scores", { 10, 20, 30 })
Package.SetPersistentData("ratio", 0.5)
t.eq(Package.GetPersistentData("player").name, "alice", "a dotted key sets a child")
t.eq(Package.GetPersistentData().counter, 42, "GetPersistentData() returns everything")
local copy = Package.GetPersistentData("player")
copy.name = "mallory"
t.eq(Package.GetPersistentData("player.name"), "alice", "GetPersistentData returns a copy")
t.fails(function() Package.SetPersistentData("fn", print) end, "only nil, booleans", "functions cannot be persisted")
Package.FlushPersistentData()

-- Exports land in the shared globals; package globals stay private.
PrivateGlobal = "mine"
Package.Export("TPackageExport", { answer = 42 })
t.fails(function() Package.Export(nil, 1) end, "non-empty string", "Export checks the name")

local loaded = 0
Package.Subscribe("Load", function() loaded = loaded + 1 end)
local extra_load = function() error("unsubscribed Load callback ran") end
Package.Subscribe("Load", extra_load)
Package.Unsubscribe("Load", extra_load)

Package.Subscribe("Unload", function()
	t.eq(loaded, 1, "Load fired once")
	t.eq(Package.IsUnloading(), true, "IsUnloading during Unload")
	t.done()
end)
