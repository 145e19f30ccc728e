-- Timer: every static function, driven by ten 50 ms ticks from the Go test.
local t = Package.Require("testlib/harness.lua")("t-timer")

local tick = 0
local seen = {}
-- Timers run before the Tick event, so during tick k the Tick handler has counted k - 1.
local function mark(s) seen[#seen + 1] = (tick + 1) .. ":" .. s end

local to = Timer.SetTimeout(function(a, b) mark("timeout " .. a .. b) end, 100, "x", 2)
t.eq(math.type(to), "integer", "SetTimeout returns an integer id")
t.ok(Timer.IsValid(to), "a new timeout is valid")

local count = 0
local iv = Timer.SetInterval(function(p)
	count = count + 1
	mark("interval " .. p)
	if count == 3 then return false end
end, 100, "p")

Timer.SetTimeout(function() mark("zero") end) -- default: 0 ms, runs on the next tick

local cleared = Timer.SetTimeout(function() mark("cleared") end, 50)
Timer.ClearTimeout(cleared)
t.ok(not Timer.IsValid(cleared), "a cleared timeout is invalid")
t.eq(Timer.GetElapsedTime(cleared), -1, "elapsed time of an invalid timer")

local paused = Timer.SetInterval(function() mark("paused") end, 100)
Timer.Pause(paused)
t.ok(Timer.IsValid(paused), "a paused timer is still valid")

local remaining = Timer.SetTimeout(function() mark("remaining") end, 1000)
Timer.SetRemainingTime(remaining, 150)
t.eq(Timer.GetRemainingTime(remaining), 150, "SetRemainingTime")

local actor = { valid = true }
function actor:IsValid() return self.valid end
local bound = Timer.SetInterval(function() mark("bound") end, 50)
Timer.Bind(bound, actor)
t.fails(function() Timer.Bind(bound, 42) end, "Timer.Bind", "Bind needs an entity")

local reset = Timer.SetTimeout(function() mark("reset") end, 150)

t.fails(function() Timer.SetTimeout("nope", 10) end, "callback must be a function", "SetTimeout checks its callback")

Server.Subscribe("Tick", function(delta)
	tick = tick + 1
	if tick == 1 then
		t.eq(Timer.GetElapsedTime(to), 50, "elapsed after one tick")
		t.eq(Timer.GetRemainingTime(to), 50, "remaining after one tick")
		actor.valid = false -- the bound timer is cleared before the next tick
	elseif tick == 2 then
		Timer.ResetElapsedTime(reset) -- 100 ms elapsed: back to 0, so it fires at tick 5
		t.ok(not Timer.IsValid(to), "a timeout is invalid once it ran")
	elseif tick == 3 then
		t.ok(not Timer.IsValid(bound), "a timer bound to an invalid actor is cleared")
		Timer.Resume(paused)
	elseif tick == 6 then
		Timer.ClearInterval(paused)
	end
end)

Package.Subscribe("Unload", function()
	local want = {
		"1:zero", "1:bound",
		"2:timeout x2", "2:interval p",
		"3:remaining",
		"4:interval p",
		"5:paused", "5:reset",
		"6:interval p",
	}
	t.eq(#seen, #want, "number of timer runs (" .. table.concat(seen, ", ") .. ")")
	for i = 1, math.max(#seen, #want) do
		t.eq(seen[i], want[i], "timer run " .. i)
	end
	t.ok(not Timer.IsValid(iv), "an interval that returned false is cleared")
	t.ok(not Timer.IsValid(paused), "ClearInterval")
	t.done()
end)
