local t = Package.Require("testlib/harness.lua")("t-realistic")
local Inventory = Package.Require("inventory.lua")

local p = PlayerData.new(7, "ana", 1234)
t.eq(p:Level(), 13, "integer division")
t.eq(tostring(p), "PlayerData(ana lvl 13)", "__tostring through an inherited class")
p:SetFlag(3)
p:SetFlag(0)
t.eq(p.flags, 9, "bitwise or and shift")
t.ok(p:HasFlag(3), "bitwise and")
p:ClearFlag(3)
t.eq(p.flags, 1, "bitwise not")
t.eq(7 ~ 2, 5, "bitwise xor")
t.eq(-1 >> 60, 15, "logical right shift")

-- Integer and float formatting as Lua 5.4 prints them.
t.eq(tostring(10 / 2), "5.0", "float division gives a float")
t.eq(tostring(3), "3", "integers print without a fraction")
t.eq(tostring(2^53), "9.007199254741e+15", "large floats print with %.14g")
t.eq(math.maxinteger + 1, math.mininteger, "integer wraparound")
t.eq(string.format("%d", 3.0), "3", "%d accepts an integral float")
t.eq(string.format("%5.1f|%-4s|%x", 2.25, "ab", 255), "  2.2|ab  |ff", "string.format")
t.eq(math.type(1 // 1), "integer", "integer floor division")
t.eq(math.type(1.0 // 1), "float", "float floor division")

-- goto and labels.
local found
for i = 1, 3 do
	for j = 1, 3 do
		if i * j == 6 then
			found = i .. "x" .. j
			goto done
		end
	end
end
::done::
t.eq(found, "2x3", "goto out of nested loops")

-- pcall and error with tables.
local ok, err = pcall(function() error({ code = 404, msg = "missing" }) end)
t.ok(not ok, "pcall catches a table error")
t.eq(err.code, 404, "the error table arrives intact")
local ok2, err2 = pcall(error, "plain", 0)
t.eq(err2, "plain", "error level 0 adds no position")
local ok3, err3 = pcall(function() local x = nil; return x.y end)
t.ok(tostring(err3):find("t-realistic/Server/Index.lua:%d+: attempt to index a nil value") ~= nil, "error positions name the package file: " .. tostring(err3))

-- The inventory module (a class in its own file) with varargs and closures.
local inv = Inventory.new(3)
t.eq(inv:Add("apple", "pear"), 2, "varargs")
t.eq(inv:Add("plum", "fig"), 3, "capacity")
t.eq(table.concat(inv:Sorted(), ","), "apple,pear,plum", "sorted items")
local ok4, e4 = pcall(inv.Take, inv, "kiwi")
t.eq(type(e4), "table", "a module raises structured errors")
t.eq(e4.item, "kiwi", "structured error field")

-- <close> variables run their handler.
local closed = false
do
	local guard <close> = setmetatable({}, { __close = function() closed = true end })
end
t.ok(closed, "<close>")

-- Coroutines.
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
t.eq(gen() + gen() + gen(), 14, "coroutines")

-- utf8 and string.pack.
t.eq(utf8.len("héllo"), 5, "utf8.len")
t.eq(#string.pack("<i4", 7), 4, "string.pack")

-- Periodic game logic with timers and events, as a game mode would do.
local round = 0
Events.Subscribe("RoundEnd", function(winner) round = round + 1; LastWinner = winner end)
Timer.SetInterval(function()
	Events.Call("RoundEnd", p)
	if round >= 2 then return false end
end, 100)

Package.Subscribe("Unload", function()
	t.eq(round, 2, "two rounds ran from the interval")
	t.eq(LastWinner, p, "the winner object passed through Events.Call")
	t.done()
end)
