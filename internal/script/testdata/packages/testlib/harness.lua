-- A small assertion harness for the host's Lua-side tests. A package requires it with
-- Package.Require("testlib/harness.lua") (the Packages/ searcher) and creates a suite:
--
--   local t = Harness(Package.GetName())
--   t.eq(1 + 1, 2, "addition")
--   t.done()
--
-- Every failed check is logged with Console.Error as "TEST-FAIL <suite>: <what> (<file:line>)"
-- and done() logs "TEST-DONE <suite> <checks> <failures>". The Go test reads those lines.

local function show(v)
	if type(v) == "string" then return string.format("%q", v) end
	return tostring(v) .. " (" .. (math.type(v) or type(v)) .. ")"
end

return function(suite)
	local t = { checks = 0, failures = 0 }

	local function fail(what)
		t.failures = t.failures + 1
		local info = debug.getinfo(3, "Sl")
		local at = info and (info.short_src .. ":" .. tostring(info.currentline)) or "?"
		Console.Error("TEST-FAIL %s: %s (%s)", suite, what, at)
	end

	function t.ok(cond, what)
		t.checks = t.checks + 1
		if not cond then fail(what or "expected a true value") end
		return cond
	end

	-- eq compares with == and, for numbers, also the integer/float subtype.
	function t.eq(got, want, what)
		t.checks = t.checks + 1
		local same = got == want
		if same and type(got) == "number" and math.type(got) ~= math.type(want) then same = false end
		if not same then fail(string.format("%s: got %s, want %s", what or "eq", show(got), show(want))) end
		return same
	end

	-- fails runs fn and checks that it raises an error whose text contains pattern (plain).
	function t.fails(fn, pattern, what)
		t.checks = t.checks + 1
		local ok, err = pcall(fn)
		if ok then
			fail((what or "fails") .. ": no error raised")
			return false
		end
		if pattern and not tostring(err):find(pattern, 1, true) then
			fail(string.format("%s: error %q does not contain %q", what or "fails", tostring(err), pattern))
			return false
		end
		return true
	end

	function t.done()
		Console.Log("TEST-DONE %s %d %d", suite, t.checks, t.failures)
	end

	return t
end
