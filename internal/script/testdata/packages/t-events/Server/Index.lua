-- Events: local calls, subscription order, cancellation, errors, unsubscription, remote stubs.
local t = Package.Require("testlib/harness.lua")("t-events")

local calls = {}
local function first(a, b) calls[#calls + 1] = "first " .. tostring(a) .. " " .. tostring(b) end
local function second(a) calls[#calls + 1] = "second " .. tostring(a) end

t.eq(Events.Subscribe("ping", first), first, "Subscribe returns the callback")
Events.Subscribe("ping", second)
t.eq(Events.Call("ping", 1, "two"), true, "Call without a false return")
t.eq(table.concat(calls, "|"), "first 1 two|second 1", "callbacks run in subscription order with the arguments")

-- Unsubscribe one callback, then all of the package's callbacks for the event.
calls = {}
Events.Unsubscribe("ping", first)
Events.Call("ping", 3)
t.eq(table.concat(calls, "|"), "second 3", "Unsubscribe(name, fn) removes only that callback")
Events.Unsubscribe("ping")
calls = {}
Events.Call("ping", 4)
t.eq(#calls, 0, "Unsubscribe(name) removes every callback of the package")

-- Calling an event nobody listens to is fine and returns true.
t.eq(Events.Call("nobody-listens"), true, "Call without subscribers")

-- Cancellation: any false return makes Call return false; every callback still runs.
local ran = 0
Events.Subscribe("cancel", function() ran = ran + 1 return false end)
Events.Subscribe("cancel", function() ran = ran + 1 return nil end)
t.eq(Events.Call("cancel"), false, "a false return cancels")
t.eq(ran, 2, "callbacks after a cancelling one still run")

-- An error in one callback is reported and does not stop the others.
local after = false
Events.Subscribe("boom", function() error("deliberate failure") end)
Events.Subscribe("boom", function() after = true end)
t.eq(Events.Call("boom"), true, "an error is not a cancellation")
t.ok(after, "the callback after a failing one runs")

-- A callback may unsubscribe itself or another during a call.
local order = {}
local b
local function a() order[#order + 1] = "a"; Events.Unsubscribe("self", b) end
b = function() order[#order + 1] = "b" end
Events.Subscribe("self", a)
Events.Subscribe("self", b)
Events.Call("self")
t.eq(table.concat(order, ","), "a", "a callback unsubscribed during the call does not run")

-- Any Lua values pass through unchanged, including nil holes and tables.
local got
local tbl = { 1, 2 }
Events.Subscribe("values", function(...) got = table.pack(...) end)
Events.Call("values", nil, tbl, 2.0, 3)
t.eq(got.n, 4, "argument count with a leading nil")
t.eq(got[2], tbl, "tables pass by reference")
t.eq(got[3], 2.0, "floats stay floats")
t.eq(got[4], 3, "integers stay integers")

-- Events fired by another package reach this one (events-peer is loaded next).
local peer = {}
Events.Subscribe("from-peer", function(x) peer[#peer + 1] = x end)

-- Remote: subscriptions are kept apart from local ones; without players sends go nowhere.
local remote_hits = 0
Events.SubscribeRemote("net", function() remote_hits = remote_hits + 1 end)
Events.Call("net")
t.eq(remote_hits, 0, "Events.Call does not reach SubscribeRemote callbacks")
Events.UnsubscribeRemote("net")
t.fails(function() Events.BroadcastRemote("x", "not-a-reliability") end, "reliability", "BroadcastRemote checks reliability since 1.139")
Events.BroadcastRemote("x", Reliability.Reliable, 1, 2)
Events.CallRemote("x", nil, Reliability.Unreliable, 1)
t.fails(function() Events.BroadcastRemote(42) end, "event name must be a string", "BroadcastRemote checks the name")

Package.Subscribe("Load", function()
	Events.Call("to-peer", "hello")
end)

Package.Subscribe("Unload", function()
	t.eq(table.concat(peer, ","), "peer-1", "an event called from another package arrives")
	t.done()
end)
