package lib

import (
	"slices"
	"testing"
)

func TestNanosMath(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		eq(NanosMath.Round(2.5), 3, "Round half up")
		eq(NanosMath.Round(-2.5), -3, "Round half away from zero")
		eq(NanosMath.Round(2.4), 2, "Round down")
		eq(NanosMath.Round(3.14159, 2), 3.14, "Round decimals")
		eq(NanosMath.Clamp(5, 0, 3), 3, "Clamp high") eq(NanosMath.Clamp(-1, 0, 3), 0, "Clamp low") eq(NanosMath.Clamp(2, 0, 3), 2, "Clamp inside")
		eq(NanosMath.ClampAxis(-90), 270.0, "ClampAxis negative") eq(NanosMath.ClampAxis(720), 0.0, "ClampAxis wrap")
		eq(NanosMath.NormalizeAxis(270), -90.0, "NormalizeAxis") eq(NanosMath.NormalizeAxis(180), 180.0, "NormalizeAxis 180") eq(NanosMath.NormalizeAxis(-180), 180.0, "NormalizeAxis -180")
		fails(function() NanosMath.Clamp("x", 0, 1) end, "bad argument #1 to 'NanosMath.Clamp'")
		for i = 1, 50 do
			local f = NanosMath.RandomFloat(2, 3)
			assert(f >= 2 and f <= 3, "RandomFloat range")
		end
		eq(NanosMath.FInterpTo(0, 10, 0.5, 1), 5.0, "FInterpTo half")
		eq(NanosMath.FInterpTo(0, 10, 2, 1), 10, "FInterpTo clamps")
		eq(NanosMath.FInterpTo(10, 0, 0.5, 1), 5.0, "FInterpTo downwards")
		eq(NanosMath.FInterpTo(0, 10, 0.5, 0), 10, "FInterpTo no speed")
		eq(NanosMath.VInterpTo(Vector(0), Vector(10, 0, 0), 0.5, 1), Vector(5, 0, 0), "VInterpTo")
		eq(NanosMath.VInterpConstantTo(Vector(0), Vector(10, 0, 0), 1, 2), Vector(2, 0, 0), "VInterpConstantTo step")
		eq(NanosMath.VInterpConstantTo(Vector(0), Vector(1, 0, 0), 1, 2), Vector(1, 0, 0), "VInterpConstantTo arrives")
		local r = NanosMath.RInterpTo(Rotator(0, 0, 0), Rotator(0, 90, 0), 0.5, 1)
		near(r.Yaw, 45, "RInterpTo")
		local rc = NanosMath.RInterpConstantTo(Rotator(0, 170, 0), Rotator(0, -170, 0), 1, 5)
		near(rc.Yaw, 175, "RInterpConstantTo takes the short way")

		-- RelativeTo / LocalToWorld against a fake actor.
		local actor = {
			GetLocation = function() return Vector(100, 0, 0) end,
			GetRotation = function() return Rotator(0, 90, 0) end,
			GetScale = function() return Vector(1, 1, 1) end,
		}
		local loc, rot = NanosMath.RelativeTo(Vector(100, 10, 0), Rotator(0, 90, 0), actor)
		near(loc.X, 10, "relative X") near(loc.Y, 0, "relative Y") near(rot.Yaw, 0, "relative yaw")
		local wl, wr = NanosMath.LocalToWorld(loc, rot, actor)
		near(wl.X, 100, "world X") near(wl.Y, 10, "world Y") near(wr.Yaw, 90, "world yaw")
	`)
}

func TestNanosTableAndUtils(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local t = setmetatable({a = 1, b = {2}}, {__index = {x = 1}})
		local c = NanosTable.ShallowCopy(t)
		assert(c ~= t and c.a == 1 and c.b == t.b and getmetatable(c) == getmetatable(t), "ShallowCopy")
		fails(function() NanosTable.ShallowCopy(1) end, "table expected")

		local dump = NanosTable.Dump({b = "x", a = 1, [2] = true, [1] = Vector(1, 2, 3), n = {k = "v"}})
		eq(dump, '\n{\n    1 = Vector(X = 1, Y = 2, Z = 3),\n    2 = true,\n    "a" = 1,\n    "b" = "x",\n    "n" = {\n        "k" = "v",\n    },\n}', "Dump")
		local cyc = {} cyc.self = cyc
		assert(NanosTable.Dump(cyc):find("<cycle"), "Dump marks cycles")
		eq(NanosTable.Dump("s"), '"s"', "Dump string")
		eq(NanosTable.Dump({}), "{}", "Dump of an empty table")
		eq(NanosTable.Dump({a = {}}), '\n{\n    "a" = {},\n}', "Dump of a nested empty table")
		eq(NanosTable.Dump(nil), "nil", "Dump nil")
		eq(NanosUtils.Dump({1}), NanosTable.Dump({1}), "legacy NanosUtils.Dump")

		eq(NanosUtils.IsEntityValid(nil), false, "nil is not valid")
		eq(NanosUtils.IsEntityValid({}), false, "plain table is not valid")
		eq(NanosUtils.IsEntityValid({IsValid = function() return true end}), true, "IsValid true")
		eq(NanosUtils.IsEntityValid({IsValid = function() error("destroyed") end}), false, "IsValid raising")
		eq(NanosUtils.IsA(Vector(), Vector), true, "IsA struct")
		eq(NanosUtils.IsA(Vector(), Rotator), false, "IsA other")
		eq(NanosUtils.IsA({IsA = function(self, c) return c == "X" end}, "X"), true, "IsA delegates")

		local calls = 0
		local ms = NanosUtils.Benchmark("count", 10, function(a) calls = calls + a end, 2)
		eq(calls, 20, "Benchmark runs amount times with args")
		assert(type(ms) == "number" and ms >= 0, "Benchmark returns milliseconds")
		eq(NanosUtils.FormatString("{2}-{1}", "a", "b"), "b-a", "FormatString")

		eq(("hello"):StartsWith("he"), true, "StartsWith") eq(("hello"):StartsWith("lo"), false, "not StartsWith")
		eq(("hello"):EndsWith("lo"), true, "EndsWith") eq(("hello"):EndsWith(""), true, "EndsWith empty")
		eq(("  a b \n"):Trim(), "a b", "Trim")
		eq(("Hello {2} I'm {1} {3}"):FormatArgs("x", "world"), "Hello world I'm x {3}", "FormatArgs")
		eq(("%1 {1}"):FormatArgs("%d"), "%1 %d", "FormatArgs keeps percent signs")
		local chars = ("abc"):ToTable()
		eq(#chars, 3, "ToTable length") eq(chars[2], "b", "ToTable char")
	`)
	want := []string{"NanosUtils.Dump (use NanosTable.Dump)", "NanosUtils.IsA", "NanosUtils.FormatString (use string.FormatArgs)"}
	for _, w := range want {
		if !slices.Contains(e.host.deprecated, w) {
			t.Errorf("deprecation %q not reported; got %v", w, e.host.deprecated)
		}
	}
}

func TestColonCallsOnStaticClasses(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		eq(JSON:stringify({1, 2}), "[1,2]", "JSON:stringify")
		eq(JSON:parse("[3]")[1], 3, "JSON:parse")
		eq(TOML:Parse("a = 1").a, 1, "TOML:Parse")
		eq(File:Exists("nope"), false, "File:Exists")
		eq(#Assets:GetAssetPacks(), 0, "Assets:GetAssetPacks")
	`)
}
