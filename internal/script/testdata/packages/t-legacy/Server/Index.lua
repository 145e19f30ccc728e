-- A package without compatibility_version, written against the old API.
local t = Package:Require("testlib/harness.lua")("t-legacy")

Package:Log("colon log %d", 1)
Package.Log("legacy log")
Package.Warn("legacy warn")
Package.Error("legacy error")
Package.Log("legacy log again")

t.eq(Package.GetName(), "Legacy Title", "before 1.49 GetName returns the title")
t.eq(Package.GetPath(), "t-legacy", "GetPath returns the folder name")
t.eq(Server.GetPackages()[1], "t-legacy", "before 1.49 GetPackages returns names")

-- The first API's SetTimeout(milliseconds, callback, {arguments}) repeats until the callback
-- returns false, with the table's items as the callback's arguments.
local fired, fired_args = 0, nil
local id = Timer.SetTimeout(50, function(a, b)
	fired = fired + 1
	fired_args = { a, b }
	if fired == 3 then return false end
end, { "first", 2 })
t.eq(math.type(id), "integer", "old argument order returns a timer id")
local colon_fired = 0
Timer:SetTimeout(function() colon_fired = colon_fired + 1 end, 50)
local struct_arg
Timer:SetTimeout(50, function(v)
	struct_arg = v
	return false
end, Vector(1, 2, 3))

local interval_runs = 0
Timer.SetInterval(50, function()
	interval_runs = interval_runs + 1
	if interval_runs == 2 then return false end
end)
Package:Log("colon log %d", 2)
Package.Warn("legacy warn again")
t.eq(Server.GetMapCustomData().weather, "rain", "GetMapCustomData is GetMapConfig")
t.eq(Server.GetMapCustomData().weather, "rain", "GetMapCustomData again")
Events.Broadcast("legacy-net", "old broadcast")
Events.Broadcast("legacy-net", "old broadcast again")
local chats = 0
Server.Subscribe("Chat", function() chats = chats + 1 end)

local consoles = {}
Server.Subscribe("Console", function(text) consoles[#consoles + 1] = text end)

-- Before 1.139 there is no reliability argument: the payload follows the name directly.
Events.BroadcastRemote("legacy-net", "payload", 2)
Events:CallRemote("legacy-net", nil, "payload")

Server.BroadcastChatMessage("hello chat")
Server:BroadcastChatMessage("hello colon chat")

t.eq(Package.RequirePackage("t-legacy-lib"), true, "RequirePackage")
t.eq(LibValue, "from the library", "RequirePackage ran the library in this package")

function LocalFn(x) return x * 2 end
t.eq(Package.Call("t-legacy", "LocalFn", 21), 42, "Package.Call calls another package's global function")

Package.SetPersistentData("k", 1)
Package.FlushSetPersistentData()

local got
Events:Subscribe("legacy-local", function(v) got = v end)
Events:Call("legacy-local", 5)
t.eq(got, 5, "colon calls on Events")

-- The first API passed an event's arguments as one table, and called Subscribe "on".
local got_a, got_b, got_n
Events:on("legacy-table", function(...)
	got_n = select("#", ...)
	got_a, got_b = ...
end)
Events:Call("legacy-table", { "x", 7 })
t.eq(got_n, 2, "Events:Call with a table of arguments passes its items")
t.eq(got_a, "x", "first item")
t.eq(got_b, 7, "second item")
Events:Call("legacy-table", {})
t.eq(got_n, 0, "an empty table passes no arguments")
Events:Call("legacy-table", table.pack("p", nil, "q"))
t.eq(got_n, 3, "a table.pack result passes n items, nils included")
Events:Call("legacy-table", { "x", n = "not a count" })
t.eq(got_n, 1, "a field n that is not a count is ignored")
Events.Call("legacy-table", { "x", 7 })
t.eq(got_n, 1, "a dot call passes the table itself")
t.eq(type(got_a), "table", "the table arrives whole")
local v = Vector(4, 5, 6)
Events:Call("legacy-table", v)
t.eq(got_a, v, "a struct is one argument, not an argument list")

Package.Subscribe("Unload", function()
	t.eq(fired, 3, "old-order timeout repeated until its callback returned false")
	t.eq(fired_args and fired_args[1], "first", "old-order timeout got the table's first item")
	t.eq(fired_args and fired_args[2], 2, "old-order timeout got the table's second item")
	t.eq(colon_fired, 1, "new-order timeout with a colon call fired once")
	t.eq(struct_arg and struct_arg.Z, 3, "a struct given to an old-order timeout is one argument")
	t.eq(#consoles, 1, 'Server.Subscribe("Console") receives only the lines no command took')
	t.eq(consoles[1], "legacy console line", 'Server.Subscribe("Console") receives the line')
	t.eq(interval_runs, 2, "old-order interval ran until it returned false")
	t.eq(chats, 1, 'Server.Subscribe("Chat") receives Chat "PlayerSubmit"')
	t.done()
end)
