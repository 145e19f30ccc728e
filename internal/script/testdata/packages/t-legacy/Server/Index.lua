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

local fired, colon_fired = false, false
local id = Timer.SetTimeout(50, function() fired = true end)
t.eq(math.type(id), "integer", "old argument order returns a timer id")
Timer:SetTimeout(function() colon_fired = true end, 50)

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

Package.Subscribe("Unload", function()
	t.ok(fired, "old-order timeout fired")
	t.ok(colon_fired, "colon-call timeout fired")
	t.eq(consoles[1], "legacy console line", 'Server.Subscribe("Console") receives console input')
	t.eq(interval_runs, 2, "old-order interval ran until it returned false")
	t.eq(chats, 1, 'Server.Subscribe("Chat") receives Chat "PlayerSubmit"')
	t.done()
end)
