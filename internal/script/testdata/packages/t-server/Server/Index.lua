-- Server: information from the fake server, values, package requests, settings, events.
local t = Package.Require("testlib/harness.lua")("t-server")

t.eq(Server.GetName(), "Test Server", "GetName")
t.eq(Server.GetDescription(), "a server for tests", "GetDescription")
t.eq(Server.GetMaxPlayers(), 16, "GetMaxPlayers")
t.eq(Server.GetPort(), 7777, "GetPort")
t.eq(Server.GetQueryPort(), 7778, "GetQueryPort")
t.eq(Server.GetIP(), "127.0.0.1", "GetIP")
t.eq(Server.GetTickRate(), 30, "GetTickRate")
t.eq(Server.GetMap(), "test-map", "GetMap")
t.eq(Server.GetVersion(), "1.0.0-test", "GetVersion")
t.eq(Server.IsUnsafeLibsEnabled(), false, "IsUnsafeLibsEnabled")
t.eq(io, nil, "io is disabled without unsafe libs")
t.eq(os.execute, nil, "os.execute is disabled")
t.ok(os.time() > 0, "os.time stays")
local now = Server.GetTime()
t.eq(math.type(now), "integer", "GetTime is an integer")
t.ok(now > 1700000000000, "GetTime is Unix milliseconds")

local cs = Server.GetCustomSettings()
t.eq(cs.rounds, 3, "custom setting integer")
t.eq(cs.friendly_fire, true, "custom setting boolean")
t.eq(cs.speed, 1.5, "custom setting float")
t.eq(cs.mode, "ffa", "custom setting text")

local mc = Server.GetMapConfig()
t.eq(mc.weather, "rain", "map config value")
t.eq(mc.nested.depth, 2, "nested map config")

local sp = Server.GetMapSpawnPoints()
t.eq(#sp, 2, "spawn points")
t.eq(sp[1].location.X, 10.0, "spawn point location X")
t.eq(sp[2].rotation.Yaw, 90.0, "spawn point rotation yaw")
t.eq(getmetatable(sp[1].location), Vector, "spawn point locations are Vectors")
t.eq(getmetatable(sp[1].rotation), Rotator, "spawn point rotations are Rotators")
Server.AddMapSpawnPoint(Vector(1, 2, 3))
Server.AddMapSpawnPoint(Vector(4, 5, 6), Rotator(0, 45, 0))
sp = Server.GetMapSpawnPoints()
t.eq(#sp, 4, "AddMapSpawnPoint appends to the map's spawn points")
t.ok(sp[3].location.Z == 3, "added spawn point location")
t.eq(getmetatable(sp[3].rotation), Rotator, "an added spawn point without rotation gets Rotator()")
t.ok(sp[3].rotation.Yaw == 0, "the default rotation is zero")
t.ok(sp[4].rotation.Yaw == 45, "added spawn point rotation")
t.fails(function() Server.AddMapSpawnPoint(nil) end, "must be a Vector", "AddMapSpawnPoint needs a location")

-- Details the fake server does not report: the Config.toml defaults; map asset from the map.
t.eq(Server.GetCompressionLevel(), 1, "GetCompressionLevel default")
t.eq(Server.IsAnnounced(), true, "IsAnnounced default")
t.eq(Server.GetMapAsset(), "", "GetMapAsset without a map package")
t.fails(function() Server.ChangeMap("other-map") end, "cannot change maps", "ChangeMap on a server that cannot")

-- Values and ValueChange.
local changes = {}
Server.Subscribe("ValueChange", function(k, v) changes[#changes + 1] = k .. "=" .. tostring(v) end)
Server.SetValue("round", 1)
Server.SetValue("state", "warmup", true)
Server.SetValue("round", 2)
t.eq(Server.GetValue("round"), 2, "GetValue")
t.eq(Server.GetValue("missing", "fallback"), "fallback", "GetValue fallback")
t.eq(table.concat(Server.GetAllValuesKeys(), ","), "round,state", "GetAllValuesKeys")
t.eq(table.concat(changes, ","), "round=1,state=warmup,round=2", "ValueChange fires for every SetValue")
t.fails(function() Server.SetValue("f", print) end, "functions", "functions are not values")

-- Settings go through the server.
Server.SetName("Renamed", true)
Server.SetMaxPlayers(32)
Server.SetPassword("secret")
t.fails(function() Server.SetDescription("refused") end, "description is locked", "a refused setting raises")

-- Packages.
t.eq(Server.IsPackageLoaded("t-server"), true, "IsPackageLoaded self")
t.eq(Server.IsPackageLoaded("nope"), false, "IsPackageLoaded other")
local pk = Server.GetPackages()
t.eq(#pk, 1, "GetPackages returns the loaded packages")
t.eq(pk[1].name, "t-server", "GetPackages name")
t.eq(pk[1].title, "Server Test", "GetPackages title")
t.eq(pk[1].type, "script", "GetPackages type")
t.eq(#Server.GetPackages(true, PackageType.GameMode), 0, "GetPackages type filter")
t.eq(Server.LoadPackage("other"), true, "LoadPackage is accepted")
t.eq(Server.UnloadPackage("gone"), false, "a refused request returns false")
Server.ReloadPackage("other")

-- Dimensions.
Server.SetDefaultPlayerDimension(5)
t.eq(Server.GetDefaultPlayerDimension(), 5, "default player dimension")
t.eq(Server.GetDefaultEntityDimension(), 1, "default entity dimension")

-- Lifecycle events.
local events = {}
Server.Subscribe("Start", function() events[#events + 1] = "start" end)
Server.Subscribe("Stop", function() events[#events + 1] = "stop" end)
local deltas = {}
local tick_fn = Server.Subscribe("Tick", function(d) deltas[#deltas + 1] = d end)

Package.Subscribe("Load", function() events[#events + 1] = "load" end)

Console.RegisterCommand("server-stop", function() Server.Stop() end)
Console.RegisterCommand("server-restart", function() Server.Restart() end)

Package.Subscribe("Unload", function()
	t.eq(table.concat(events, ","), "load,start,stop", "Load, Start and Stop in order")
	t.eq(#deltas, 3, "three ticks seen")
	t.eq(deltas[1], 0.05, "Tick receives the delta in seconds")
	t.eq(math.type(deltas[1]), "float", "the delta is a float")
	Server.Unsubscribe("Tick", tick_fn)
	t.done()
end)
