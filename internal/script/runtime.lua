-- Nanoforge scripting runtime: the server side of the nanos world API that lives in Lua.
--
-- The Go host runs this chunk once per Lua state as `chunk(N, G)`, where N holds the native
-- functions the Go side provides and G is the shared global table (the state's _G). It returns
-- RT, the entry points the Go side calls. Everything a package makes (subscriptions, timers,
-- console commands, exports, required files, persistent data) is recorded against the package
-- record P that made it, so unloading a package is a complete teardown.
--
-- Events fired by Go (Server "Tick", timers, Package "Load"...) are dispatched one callback per
-- Go call (RT.begin / RT.call / RT.finish) so each callback runs under its own watchdog budget
-- and is timed; events fired from Lua (Events.Call, Server.SetValue...) are dispatched here
-- directly, inside the budget of the callback that fired them.

local N, G = ...

local type, pairs, ipairs, next, select, tostring, tonumber, error, pcall, xpcall, rawget, rawset,
	setmetatable, getmetatable, rawequal, rawlen, load =
	type, pairs, ipairs, next, select, tostring, tonumber, error, pcall, xpcall, rawget, rawset,
	setmetatable, getmetatable, rawequal, rawlen, load
local format, concat, unpack, pack, sort = string.format, table.concat, table.unpack, table.pack, table.sort
local getinfo = debug.getinfo
local mathtype = math.type

local RT = {}

local packages = {}   -- name -> package record P
local next_uid = 0    -- last owner token handed to a package record (P.uid), see running_owner
local order = {}      -- package names in load order
local subs = { Events = {} } -- space ("Events", "Server", "Package:<name>"...) -> event -> array of
                      -- {P=, fn=, dead=}, replaced (copy-on-write) on every change
local events = subs.Events -- Events.Call's table, kept for speed
local timers = {}     -- id -> timer record
local timer_count = 0
local next_timer = 0
local commands = {}   -- name -> {P=, fn=, description=, parameters=}
local exports = {}    -- global name -> P
local base_values = {} -- global name -> {value before the first export}
local values = {}     -- Server.SetValue store
local value_keys = {} -- insertion-ordered keys of values
local clock = 0       -- milliseconds of tick time since the state started
local deprecated_seen = {}
local default_player_dim, default_entity_dim = 1, 1
local added_spawns = {} -- Server.AddMapSpawnPoint, after the map's own spawn points
local queues = {}     -- dispatch handle -> array of entries
local next_queue = 0
local log_depth = 0   -- guards LogEntry handlers that log themselves

-- ---------------------------------------------------------------------------------------------
-- helpers

-- compat_num turns "major.minor" into a number that compares per component (1.100 > 1.99).
local function compat_num(s)
	if type(s) ~= "string" then return 0 end
	local major, minor = s:match("^%s*(%d+)%.(%d+)")
	if not major then
		major = s:match("^%s*(%d+)%s*$")
		minor = "0"
	end
	if not major then return 0 end
	return tonumber(major) * 100000 + tonumber(minor)
end
RT.compat_num = compat_num

local function at_least(P, v) return P.compat >= compat_num(v) end

-- RUNTIME is the chunk name the Go side gives this file; its frames are hidden from tracebacks
-- and locations so they point at package code.
local RUNTIME = "=nanoforge/runtime"

-- where returns "file:line" of the innermost package (non-runtime, non-C) frame above the caller.
local function where()
	local level = 3
	while true do
		local info = getinfo(level, "Sl")
		if not info then return "?" end
		if info.source ~= RUNTIME and info.what ~= "C" and info.currentline and info.currentline > 0 then
			return info.short_src .. ":" .. info.currentline
		end
		level = level + 1
	end
end

-- fail raises msg at the package code that called into the API, whatever the depth of
-- runtime frames in between.
local function fail(msg)
	error(where() .. ": " .. msg, 0)
end

local function log(level, P, text, at)
	N.log(level, P and P.name or "", text, at or "")
	if log_depth > 0 then return end
	local space = subs.Console
	local list = space and space.LogEntry
	if not list then return end
	local logtype = (level == "warn" and 6) or (level == "error" and 7) or (level == "debug" and 3) or 5
	log_depth = log_depth + 1
	RT.dispatch_local(list, "Console", "LogEntry", text, logtype)
	log_depth = log_depth - 1
end
RT.log = log

local function deprecated(P, what, instead)
	local key = (P and P.name or "") .. "\0" .. what
	if deprecated_seen[key] then return end
	deprecated_seen[key] = true
	local at = where()
	local msg = format("%s is deprecated%s (package '%s', called at %s)", what, instead and ("; use " .. instead .. " instead") or "", P and P.name or "?", at)
	log("warn", P, msg, at)
end

-- deprecated_lib reports a legacy library name (what, optionally ending in " (use NEW)") once
-- per package and name, located at the package line that made the call: the first frame that
-- is neither ours (runtime, embedded libraries) nor C.
function RT.deprecated_lib(what)
	what = tostring(what)
	local name, instead = what:match("^(.-) %(use (.+)%)$")
	name = name or what
	local level, at, P = 2, nil, nil
	while true do
		local info = getinfo(level, "Sl")
		if not info then break end
		if info.what ~= "C" and not info.source:match("^=nanoforge/[^/]*$") and info.currentline and info.currentline > 0 then
			at = info.short_src .. ":" .. info.currentline
			local pname = info.short_src:match("^([^/]+)/")
			P = pname and packages[pname]
			break
		end
		level = level + 1
	end
	local key = (P and P.name or "") .. "\0" .. name
	if deprecated_seen[key] then return end
	deprecated_seen[key] = true
	local msg = format("%s is deprecated%s", name, instead and ("; use " .. instead .. " instead") or "")
	if at then msg = msg .. format(" (package '%s', called at %s)", P and P.name or "?", at) end
	log("warn", P, msg, at)
end

-- safe_tostring is tostring that survives a failing __tostring (error values and console
-- output must never raise while being shown).
local function safe_tostring(v)
	local ok, s = pcall(tostring, v)
	if ok and type(s) == "string" then return s end
	return "(" .. type(v) .. " whose __tostring failed)"
end

local function has_tostring(v)
	local mt = getmetatable(v)
	return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

-- describe_error turns an error value into text: tables are shown with their fields so
-- error({code = 1}) is still readable in the log.
local function describe_error(e)
	local t = type(e)
	if t == "string" then return e end
	if t == "table" then
		if has_tostring(e) then return safe_tostring(e) end
		local parts = {}
		for k, v in next, e do
			parts[#parts + 1] = safe_tostring(k) .. " = " .. safe_tostring(v)
			if #parts >= 8 then break end
		end
		return "(error object is a table: {" .. concat(parts, ", ") .. "})"
	end
	if e == nil then return "nil" end
	return "(error object is a " .. t .. " value: " .. safe_tostring(e) .. ")"
end

-- traceback is the message handler of every protected call into package code: it returns the
-- error text followed by one line per Lua frame, in the console format of nanos world.
local function traceback(e)
	local msg = describe_error(e)
	if type(e) == "string" then
		-- "file:line: message" -> "[file]:line: message", as the nanos world console shows it
		msg = msg:gsub("^([^%s:]+%.lua):(%d+):", "[%1]:%2:", 1)
	end
	local lines = { "\t- [1] " .. msg }
	local level, n = 2, 2
	while n <= 12 do
		local info = getinfo(level, "Snl")
		if not info then break end
		if info.what ~= "C" and info.source ~= RUNTIME and info.currentline and info.currentline > 0 then
			local fn
			if info.what == "main" then
				fn = "in main chunk"
			elseif info.name then
				fn = "in function '" .. info.name .. "'"
			else
				fn = "in function <" .. info.short_src .. ":" .. info.linedefined .. ">"
			end
			lines[#lines + 1] = format("\t- [%d] [%s]:%d: %s", n, info.short_src, info.currentline, fn)
			n = n + 1
		end
		level = level + 1
	end
	return concat(lines, "\n")
end
RT.traceback = traceback

local function report(P, class, event, tb)
	local head = format("Lua Error on Class '%s' Event '%s' (package '%s'):", class, event, P and P.name or "?")
	local file, line = tb:match("%- %[%d+%] %[([^%]]+)%]:(%d+)")
	log("error", P, head .. "\n" .. tb, file and (file .. ":" .. line) or "")
end
RT.report = report

-- ---------------------------------------------------------------------------------------------
-- subscriptions

-- check_alive refuses to let code of an unloaded package (a late asynchronous callback, a
-- function another package kept) make anything on its behalf: teardown already ran, so
-- a subscription, timer, command or export made now would never be removed.
local function check_alive(P, what)
	if packages[P.name] ~= P then
		fail(format("%s: package '%s' is no longer loaded", what, P.name))
	end
end

local function subscribe(space, name, P, fn)
	check_alive(P, "Subscribe('" .. tostring(name) .. "')")
	if type(fn) ~= "function" then
		fail(format("Subscribe('%s'): the callback must be a function, got %s", tostring(name), type(fn)))
	end
	name = tostring(name)
	local sp = subs[space]
	if not sp then
		sp = {}
		subs[space] = sp
	end
	local old = sp[name]
	local new = {}
	if old then for i = 1, #old do new[i] = old[i] end end
	new[#new + 1] = { P = P, fn = fn }
	sp[name] = new
	return fn
end

local function unsubscribe(space, name, P, fn)
	local sp = subs[space]
	name = tostring(name)
	local old = sp and sp[name]
	if not old then return end
	local new = {}
	for i = 1, #old do
		local e = old[i]
		if e.P == P and (fn == nil or e.fn == fn) then
			e.dead = true
		else
			new[#new + 1] = e
		end
	end
	sp[name] = (#new > 0) and new or nil
end

-- Local dispatch runs every callback of a list inside one protected call; when a callback
-- fails, the error is reported and the loop resumes after it. cursor[d] is the index running at
-- dispatch depth d (dispatches nest when a callback calls Events.Call).
local depth = 0
local cursor, cancelled = {}, {}
-- The list, class and event of the dispatch running at each depth, so that after a timeout
-- (which unwinds without letting the runtime report it) RT.stuck can say which callback ran.
local dlist, dclass, devent = {}, {}, {}

-- enter resets the nesting counters at every call from Go: a timeout unwinds through the
-- runtime without running its bookkeeping.
local function enter()
	for d = 1, depth do dlist[d] = nil end
	depth = 0
	log_depth = 0
end

local function run_list(list, d, i, ...)
	for j = i, #list do
		cursor[d] = j
		local e = list[j]
		if not e.dead and e.fn(...) == false then cancelled[d] = true end
	end
end

-- dispatch_local calls every live entry of list in order; a callback error is reported and the
-- next callback still runs. It returns false when any callback returned false (cancellation).
function RT.dispatch_local(list, class, event, ...)
	local d = depth + 1
	depth = d
	cancelled[d] = false
	dlist[d], dclass[d], devent[d] = list, class, event
	local i = 1
	while true do
		local ok, err = xpcall(run_list, traceback, list, d, i, ...)
		depth = d
		if ok then break end
		local j = cursor[d]
		report(list[j].P, class, event, err)
		i = j + 1
	end
	depth = d - 1
	dlist[d] = nil
	return not cancelled[d]
end
local dispatch_local = RT.dispatch_local

-- defined_at names where Lua function fn is defined ("file:line"), or "" for a C function.
local function defined_at(fn)
	local info = getinfo(fn, "S")
	if info and info.what ~= "C" then return info.short_src .. ":" .. info.linedefined end
	return ""
end

-- stuck returns, after a call from Go failed without the runtime seeing it (a timeout), the
-- innermost local dispatch it interrupted: the callback's package, class, event and where the
-- callback is defined; nothing when no local dispatch was running.
function RT.stuck()
	local d = depth
	while d > 0 and not dlist[d] do d = d - 1 end
	if d == 0 then return end
	local e = dlist[d][cursor[d]]
	if not e then return end
	return e.P.name, dclass[d], devent[d], defined_at(e.fn)
end

-- Dispatches driven from Go: begin snapshots the callbacks subscribed to event name of space
-- and returns a handle, their number and their packages' ids (space separated, so Go can time
-- each callback without asking); Go then calls RT.call once per callback, each call running the
-- next one of the innermost dispatch, and RT.finish at the end. class names the event in error
-- reports.
local qclass, qevent, qcancel, qnext = {}, {}, {}, {}
local active = {} -- handles of the dispatches Go is running, innermost last

local function open_queue(list, class, event)
	next_queue = next_queue + 1
	local h = next_queue
	queues[h], qclass[h], qevent[h], qnext[h] = list, class, event, 0
	active[#active + 1] = h
	-- Lists of callbacks are replaced, never changed, when packages subscribe or unsubscribe,
	-- so the package ids of one are formatted once, not at every dispatch.
	local ids = list.ids
	if not ids then
		local t = {}
		for i = 1, #list do t[i] = list[i].P.id end
		ids = concat(t, " ")
		list.ids = ids
	end
	return h, #list, ids
end

function RT.begin(space, name, class)
	enter()
	local sp = subs[space]
	local list = sp and sp[name]
	if not list then return 0, 0, "" end
	return open_queue(list, class, name)
end

-- call runs the next callback of the innermost dispatch with the arguments.
function RT.call(...)
	enter()
	local h = active[#active]
	local i = qnext[h] + 1
	qnext[h] = i
	local e = queues[h][i]
	if e.dead then return end
	-- No protected call here: an error reaches the Go side with the traceback taken where it
	-- was raised. That matters for timeouts, which no Lua message handler gets to see.
	if e.fn(...) == false then qcancel[h] = true end
end

-- finish ends dispatch h; it returns whether a callback returned false.
function RT.finish(h)
	for k = #active, 1, -1 do
		if active[k] == h then
			table.remove(active, k)
			break
		end
	end
	local c = qcancel[h] == true
	queues[h], qclass[h], qevent[h], qcancel[h], qnext[h] = nil, nil, nil, nil, nil
	return c
end

-- owner names the package of entry i of dispatch h and where its callback is defined, after a
-- failure the runtime could not report itself (a timeout).
function RT.owner(h, i)
	local q = queues[h]
	local e = q and q[i]
	if not e then return "", "" end
	return e.P.name, defined_at(e.fn)
end

-- ---------------------------------------------------------------------------------------------
-- timers

local function new_timer(P, fn, ms, interval, ...)
	check_alive(P, interval and "Timer.SetInterval" or "Timer.SetTimeout")
	if type(fn) ~= "function" then
		fail(format("Timer.%s: the callback must be a function, got %s", interval and "SetInterval" or "SetTimeout", type(fn)))
	end
	ms = tonumber(ms) or 0
	if ms < 0 then ms = 0 end
	next_timer = next_timer + 1
	local n = select("#", ...)
	timers[next_timer] = {
		id = next_timer, P = P, fn = fn, ms = ms, elapsed = 0, interval = interval,
		args = n > 0 and pack(...) or nil,
	}
	timer_count = timer_count + 1
	P.timers[next_timer] = true
	return next_timer
end

local function clear_timer(id)
	local t = timers[id]
	if not t then return end
	timers[id] = nil
	t.dead = true
	timer_count = timer_count - 1
	t.P.timers[id] = nil
end

local function timer_fire(t)
	if t.args then return t.fn(unpack(t.args, 1, t.args.n)) end
	return t.fn()
end

local function bound_valid(actor) return actor:IsValid() end

-- due advances every running timer by delta milliseconds and queues the ones that are due, in
-- creation order. A timer fires at most once per tick.
function RT.due(delta)
	clock = clock + delta
	if timer_count == 0 then return 0, 0, "" end
	local due = {}
	for id, t in pairs(timers) do
		if t.bound and not t.dead then
			local ok, valid = pcall(bound_valid, t.bound)
			if not ok or not valid then clear_timer(id) end
		end
		if not t.paused and not t.dead then
			t.elapsed = t.elapsed + delta
			if t.elapsed >= t.ms then due[#due + 1] = t end
		end
	end
	if #due == 0 then return 0, 0, "" end
	sort(due, function(a, b) return a.id < b.id end)
	return open_queue(due, "Timer", "Callback")
end

-- fire runs the next due timer of the innermost dispatch (opened by RT.due).
function RT.fire()
	enter()
	local h = active[#active]
	local i = qnext[h] + 1
	qnext[h] = i
	local t = queues[h][i]
	if t.dead or timers[t.id] ~= t then return end
	if t.interval then
		t.elapsed = t.elapsed - t.ms
		if t.elapsed >= t.ms or t.elapsed < 0 then t.elapsed = 0 end
	else
		clear_timer(t.id)
	end
	-- Unprotected, as in RT.call: the Go side reports errors.
	if timer_fire(t) == false and t.interval then clear_timer(t.id) end
end

-- ---------------------------------------------------------------------------------------------
-- value formatting (RunCode, print of tables)

-- inspect shows a value for the console. It reads tables raw (no __index, __len or __pairs)
-- so showing a value never runs its code, except a __tostring, which is protected.
local function inspect(v, depth, seen)
	local t = type(v)
	if t == "string" then return format("%q", v) end
	if t ~= "table" then return safe_tostring(v) end
	if has_tostring(v) then return safe_tostring(v) end
	if seen[v] or depth > 2 then return safe_tostring(v) end
	seen[v] = true
	local parts, n = {}, 0
	local len = rawlen(v)
	for i = 1, len do
		n = n + 1
		if n > 20 then parts[#parts + 1] = "..." break end
		parts[#parts + 1] = inspect(rawget(v, i), depth + 1, seen)
	end
	if n <= 20 then
		local keys = {}
		for k in next, v do
			if not (mathtype(k) == "integer" and k >= 1 and k <= len) then keys[#keys + 1] = k end
		end
		local names = {}
		for _, k in ipairs(keys) do names[k] = safe_tostring(k) end
		sort(keys, function(a, b) return names[a] < names[b] end)
		for _, k in ipairs(keys) do
			n = n + 1
			if n > 20 then parts[#parts + 1] = "..." break end
			local ks = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k or ("[" .. inspect(k, 3, seen) .. "]")
			parts[#parts + 1] = ks .. " = " .. inspect(rawget(v, k), depth + 1, seen)
		end
	end
	seen[v] = nil
	return "{" .. concat(parts, ", ") .. "}"
end
RT.inspect = function(v) return inspect(v, 0, {}) end

-- ---------------------------------------------------------------------------------------------
-- static classes

-- static wraps a class's functions so the old colon style (`Package:Log(...)`, which passes the
-- class as the first argument) keeps working, logged once as deprecated per package.
local function static(P, name, fns)
	local T = {}
	for k, f in pairs(fns) do
		T[k] = function(a, ...)
			if rawequal(a, T) then
				deprecated(P, name .. ":" .. k .. "(...)", name .. "." .. k .. "(...)")
				return f(...)
			end
			return f(a, ...)
		end
	end
	-- The first API named Subscribe "on": Events:on("MyEvent", fn), Package:on("Load", fn).
	local subscribe_fn = fns.Subscribe
	if subscribe_fn and not fns.on then
		T.on = function(a, ...)
			deprecated(P, name .. ":on(...)", name .. ".Subscribe(...)")
			if rawequal(a, T) then return subscribe_fn(...) end
			return subscribe_fn(a, ...)
		end
	end
	return T
end

-- table_args returns the arguments of a first-generation call that passed its trailing
-- arguments as one table (Events:Call("MyEvent", {a, b}), Timer:SetTimeout(ms, fn, {a})): the
-- nfixed leading arguments, then the table's items. Any other argument list is returned as is,
-- and so is a table with a metatable (a struct or an entity is a value, not an argument list).
local function table_args(nfixed, ...)
	local n = select("#", ...)
	if n ~= nfixed + 1 then return ... end
	local t = select(n, ...)
	if type(t) ~= "table" or getmetatable(t) ~= nil then return ... end
	local args = pack(...)
	local m = #t
	if mathtype(t.n) == "integer" and t.n >= 0 then m = t.n end -- a table.pack result
	for i = 1, m do args[nfixed + i] = t[i] end
	return unpack(args, 1, nfixed + m)
end

local function format_message(fn, msg, ...)
	if select("#", ...) > 0 then
		local ok, s = pcall(format, tostring(msg), ...)
		if not ok then fail(format("Console.%s: bad format: %s", fn, s)) end
		return s
	end
	if type(msg) == "string" then return msg end
	return tostring(msg)
end

-- resolve finds a file for Package.Require / LoadFile. Paths are logical: relative to the
-- Packages folder ("my-package/Server/x.lua").
local function normalize(path)
	local parts = {}
	for seg in path:gmatch("[^/\\]+") do
		if seg == ".." then
			if #parts == 0 then return nil end
			parts[#parts] = nil
		elseif seg ~= "." then
			parts[#parts + 1] = seg
		end
	end
	return concat(parts, "/")
end

local function candidates(P, path, level)
	local list = {}
	local function add(p)
		p = normalize(p)
		if p and p ~= "" then
			for _, q in ipairs(list) do if q == p then return end end
			list[#list + 1] = p
		end
	end
	local rel = path:gsub("^[/\\]+", "")
	local dir
	local lvl = 2
	while true do
		local info = getinfo(lvl, "S")
		if not info then break end
		if info.source ~= RUNTIME and info.what ~= "C" then
			dir = info.source:match("^@(.*/)")
			break
		end
		lvl = lvl + 1
	end
	if dir then add(dir .. rel) end
	add(P.name .. "/Server/" .. rel)
	add(P.name .. "/Shared/" .. rel)
	add(P.name .. "/" .. rel)
	add(rel)
	return list
end

local function find_file(P, fn, path, level)
	if type(path) ~= "string" or path == "" then
		fail(format("Package.%s: the file path must be a non-empty string, got %s", fn, type(path)))
	end
	local list = candidates(P, path, level + 1)
	for _, logical in ipairs(list) do
		local src = N.read(logical)
		if src then return logical, src end
	end
	fail(format("Package.%s: cannot find '%s' (searched %s)", fn, path, concat(list, ", ")))
end

local function compile(P, logical, src, env)
	local f, err = load(src, "@" .. logical, "t", env or P.env)
	if not f then error(err, 0) end
	return f
end

-- run_file runs a package file once and caches what it returns (Require semantics).
local main_thread = coroutine.running()

-- onstack adds the functions running on thread co (nil: the current one) to set.
local function onstack(set, co, from)
	local level = from
	while true do
		local info
		if co then info = getinfo(co, level, "f") else info = getinfo(level, "f") end
		if not info then return end
		set[info.func] = true
		level = level + 1
	end
end

-- live_loading drops the files of P.loading that no longer run. A file that raises is not
-- popped by cleanup code: any Lua code running while an error unwinds would replace a timeout
-- with a new one raised in the runtime, losing the line the script was stuck at. Its entry
-- goes stale instead, and is recognised here because its main chunk is not on the stack.
local function live_loading(P)
	if #P.loading == 0 then return end
	local set = {}
	onstack(set, nil, 3)
	local co = coroutine.running()
	if co ~= main_thread then onstack(set, main_thread, 1) end
	local live = {}
	for _, l in ipairs(P.loading) do
		if set[l.fn] then live[#live + 1] = l end
	end
	P.loading = live
end

local function run_file(P, logical, src, force, level)
	local cached = P.required[logical]
	if cached and not force then return unpack(cached, 1, cached.n) end
	live_loading(P)
	for i, l in ipairs(P.loading) do
		if l.logical == logical then
			local cycle = {}
			for j = i, #P.loading do cycle[#cycle + 1] = P.loading[j].logical end
			cycle[#cycle + 1] = logical
			fail("Package.Require cycle: " .. concat(cycle, " -> "))
		end
	end
	-- The odd name is how tracebacks name a file's main chunk called from here; the Go side
	-- shows it as "in main chunk".
	local __main_chunk = compile(P, logical, src)
	P.loading[#P.loading + 1] = { logical = logical, fn = __main_chunk }
	local out = pack(__main_chunk())
	for i = #P.loading, 1, -1 do
		if P.loading[i].fn == __main_chunk then
			table.remove(P.loading, i)
			break
		end
	end
	P.required[logical] = out
	return unpack(out, 1, out.n)
end

local function persistent_get(P, key)
	local node = P.pdata
	if key == nil or key == "" then return node end
	for part in tostring(key):gmatch("[^%.]+") do
		if type(node) ~= "table" then return nil end
		node = node[part]
	end
	return node
end

local function check_persistable(v, path, seen)
	local t = type(v)
	if t == "function" or t == "userdata" or t == "thread" then
		fail(format("Package.SetPersistentData: '%s' is a %s; only nil, booleans, numbers, strings and tables can be stored", path, t))
	end
	if t == "table" then
		if seen[v] then fail(format("Package.SetPersistentData: '%s' contains a cycle", path)) end
		seen[v] = true
		for k, x in pairs(v) do
			if type(k) ~= "string" and mathtype(k) ~= "integer" then
				fail(format("Package.SetPersistentData: '%s' has a %s key; keys must be strings or integers", path, type(k)))
			end
			check_persistable(x, path .. "." .. tostring(k), seen)
		end
		seen[v] = nil
	end
end

local function deep_copy(v)
	if type(v) ~= "table" then return v end
	local c = {}
	for k, x in pairs(v) do c[k] = deep_copy(x) end
	return c
end

local function persistent_set(P, key, value)
	if type(key) ~= "string" or key == "" then
		fail("Package.SetPersistentData: the key must be a non-empty string")
	end
	check_persistable(value, key, {})
	value = deep_copy(value)
	local node = P.pdata
	local parts = {}
	for part in key:gmatch("[^%.]+") do parts[#parts + 1] = part end
	for i = 1, #parts - 1 do
		local nxt = node[parts[i]]
		if type(nxt) ~= "table" then
			nxt = {}
			node[parts[i]] = nxt
		end
		node = nxt
	end
	node[parts[#parts]] = value
	P.pdirty = true
end

local function persistent_flush(P)
	if not P.pdirty then return end
	P.pdirty = false
	N.persist(P.name, P.pdata)
end

local function split_lines(s)
	local out = {}
	if s == nil or s == "" then return out end
	for line in s:gmatch("[^\n]+") do out[#out + 1] = line end
	return out
end

-- ---------------------------------------------------------------------------------------------
-- per-package API

local function make_package_api(P)
	local api = {}

	api.Export = function(name, value)
		check_alive(P, "Package.Export")
		if type(name) ~= "string" or name == "" then
			fail("Package.Export: the name must be a non-empty string")
		end
		local owner = exports[name]
		if owner and owner ~= P and packages[owner.name] == owner then
			log("warn", P, format("Package.Export: '%s' exported by package '%s' is replaced by package '%s'", name, owner.name, P.name), where())
			owner.exports[name] = nil
		end
		-- The value the name had before any package exported it (a library global such as
		-- Vector, or nil) comes back when the exporting package unloads.
		if not exports[name] then base_values[name] = { rawget(G, name) } end
		rawset(G, name, value)
		exports[name] = P
		P.exports[name] = true
	end

	api.Require = function(path, force_load)
		local logical, src = find_file(P, "Require", path, 2)
		return run_file(P, logical, src, force_load, 2)
	end

	api.LoadFile = function(path)
		local logical, src = find_file(P, "LoadFile", path, 2)
		local f = compile(P, logical, src)
		return function(env, ...)
			if type(env) == "table" then return compile(P, logical, src, env)(...) end
			return f(env, ...)
		end
	end

	api.ReloadClientFile = function(path)
		if type(path) ~= "string" then fail("Package.ReloadClientFile: the file path must be a string") end
		N.reload_client_file(P.name, path)
	end

	api.Subscribe = function(event, fn)
		return subscribe(P.space, event, P, fn)
	end
	api.Unsubscribe = function(event, fn)
		unsubscribe(P.space, event, P, fn)
	end

	api.SetPersistentData = function(key, value) persistent_set(P, key, value) end
	api.GetPersistentData = function(key) return deep_copy(persistent_get(P, key)) end
	api.FlushPersistentData = function() persistent_flush(P) end

	api.GetFiles = function(path_filter, extension_filter)
		local filters = {}
		if type(path_filter) == "table" then
			for _, f in ipairs(path_filter) do filters[#filters + 1] = tostring(f) end
		elseif path_filter ~= nil and path_filter ~= "" then
			filters[1] = tostring(path_filter)
		end
		return split_lines(N.list(P.name, "files", concat(filters, "\n"), extension_filter or ""))
	end
	api.GetDirectories = function(path_filter)
		return split_lines(N.list(P.name, "dirs", path_filter or "", ""))
	end

	api.GetName = function()
		if not at_least(P, "1.49") then return P.title end
		return P.name
	end
	api.GetTitle = function() return P.title end
	api.GetVersion = function() return P.version end
	api.GetCompatibilityVersion = function() return P.compat_string end
	api.IsUnloading = function() return P.unloading == true end

	-- legacy names
	local console = P.api.Console
	api.Log = function(...) deprecated(P, "Package.Log", "Console.Log") return console.Log(...) end
	api.Warn = function(...) deprecated(P, "Package.Warn", "Console.Warn") return console.Warn(...) end
	api.Error = function(...) deprecated(P, "Package.Error", "Console.Error") return console.Error(...) end
	api.FlushSetPersistentData = function()
		deprecated(P, "Package.FlushSetPersistentData", "Package.FlushPersistentData")
		persistent_flush(P)
	end
	api.GetPath = function()
		deprecated(P, "Package.GetPath", "Package.GetName")
		return P.name
	end
	api.RequirePackage = function(name)
		deprecated(P, "Package.RequirePackage", "packages_requirements and Package.Export")
		if type(name) ~= "string" then fail("Package.RequirePackage: the package name must be a string") end
		-- Old library packages ran inside the requiring package: run their entry files here.
		local ran = false
		for _, entry in ipairs({ "/Shared/Index.lua", "/Server/Index.lua" }) do
			local src = N.read(name .. entry)
			if src then
				run_file(P, name .. entry, src, false, 2)
				ran = true
			end
		end
		if not ran then
			fail(format("Package.RequirePackage: package '%s' has no Shared/Index.lua or Server/Index.lua", name))
		end
		return true
	end
	api.Call = function(name, fn, ...)
		deprecated(P, "Package.Call", "Package.Export")
		local other = packages[name]
		if not other then fail(format("Package.Call: package '%s' is not loaded", tostring(name))) end
		local f = rawget(other.env, fn)
		if type(f) ~= "function" then
			fail(format("Package.Call: package '%s' has no global function '%s'", name, tostring(fn)))
		end
		return f(...)
	end
	return static(P, "Package", api)
end

local function make_console_api(P)
	local api = {}
	api.Log = function(msg, ...) log("info", P, format_message("Log", msg, ...), where()) end
	api.Warn = function(msg, ...) local at = where() log("warn", P, format_message("Warn", msg, ...), at) end
	api.Error = function(msg, ...) local at = where() log("error", P, format_message("Error", msg, ...), at) end
	api.Debug = function(msg, ...)
		if not N.debug_enabled() then return end
		log("debug", P, format_message("Debug", msg, ...), where())
	end
	api.RegisterCommand = function(name, fn, description, parameters)
		check_alive(P, "Console.RegisterCommand")
		if type(name) ~= "string" or not name:match("^%S+$") then
			fail("Console.RegisterCommand: the command must be a single word")
		end
		if type(fn) ~= "function" then fail("Console.RegisterCommand: the callback must be a function") end
		local old = commands[name]
		if old and old.P ~= P then
			log("warn", P, format("Console.RegisterCommand: command '%s' of package '%s' is replaced by package '%s'", name, old.P.name, P.name), where())
			old.P.commands[name] = nil
		end
		local params = {}
		if type(parameters) == "table" then
			for _, p in ipairs(parameters) do params[#params + 1] = tostring(p) end
		end
		commands[name] = { P = P, fn = fn, description = description and tostring(description) or "", parameters = params }
		P.commands[name] = true
	end
	api.RunCommand = function(line)
		if type(line) ~= "string" then fail("Console.RunCommand: the command must be a string") end
		local args = {}
		for w in line:gmatch("%S+") do args[#args + 1] = w end
		local name = table.remove(args, 1)
		local c = name and commands[name]
		if not c then
			log("warn", P, format("Console.RunCommand: '%s' is not a script-registered command", tostring(name)), where())
			return
		end
		local ok, r = xpcall(c.fn, traceback, unpack(args))
		if not ok then report(c.P, "Console", "Command " .. name, r) end
	end
	api.Subscribe = function(event, fn) return subscribe("Console", event, P, fn) end
	api.Unsubscribe = function(event, fn) unsubscribe("Console", event, P, fn) end
	return static(P, "Console", api)
end

local function make_events_api(P)
	local api = {}
	api.Call = function(name, ...)
		local list = events[name]
		if not list then
			if type(name) == "string" then return true end
			list = events[tostring(name)]
			if not list then return true end
		end
		return dispatch_local(list, "Events", name, ...)
	end
	api.Subscribe = function(name, fn)
		subscribe("Events", name, P, fn)
		-- Before 1.22 Subscribe also received remote events.
		if not at_least(P, "1.22") then subscribe("Remote", name, P, fn) end
		return fn
	end
	api.SubscribeRemote = function(name, fn) return subscribe("Remote", name, P, fn) end
	api.Unsubscribe = function(name, fn)
		unsubscribe("Events", name, P, fn)
		-- Before 1.65 Unsubscribe also removed remote subscriptions.
		if not at_least(P, "1.65") then unsubscribe("Remote", name, P, fn) end
	end
	api.UnsubscribeRemote = function(name, fn) unsubscribe("Remote", name, P, fn) end

	-- Remote sends: since 1.139 a reliability argument follows the event name (and target).
	-- They are handed to RT.remote, which the network layer replaces; without it they are
	-- dropped (no player can receive them).
	local function send(kind, nfixed)
		return function(name, ...)
			if type(name) ~= "string" then fail(format("Events.%s: the event name must be a string", kind)) end
			local n = select("#", ...)
			local fixed = pack(select(1, ...))
			fixed.n = math.min(nfixed, n)
			local rest_from = nfixed + 1
			local reliability = 1
			if at_least(P, "1.139") then
				local r = select(rest_from, ...)
				if r ~= nil and mathtype(r) ~= "integer" then
					fail(format("Events.%s: argument %d (reliability) must be a Reliability value, got %s", kind, rest_from + 1, type(r)))
				end
				if r ~= nil then reliability = r end
				rest_from = rest_from + 1
			end
			return RT.remote(P, kind, name, reliability, pack(unpack(fixed, 1, nfixed)), pack(select(rest_from, ...)))
		end
	end
	api.CallRemote = send("CallRemote", 1)
	api.CallRemotePlayers = send("CallRemotePlayers", 1)
	api.BroadcastRemote = send("BroadcastRemote", 0)
	api.BroadcastRemoteDimension = send("BroadcastRemoteDimension", 1)
	api.BroadcastRemoteInRadius = send("BroadcastRemoteInRadius", 2)
	api.BroadcastRemoteInRadiusDimension = send("BroadcastRemoteInRadiusDimension", 3)
	api.Broadcast = function(name, ...)
		deprecated(P, "Events.Broadcast", "Events.BroadcastRemote")
		return api.BroadcastRemote(name, ...)
	end
	local T = static(P, "Events", api)
	-- Colon calls come from the first API, which took an event's arguments as one table
	-- (Events:CallRemote("MyEvent", player, {a, b})); a package with no compatibility_version
	-- gets them unpacked.
	local function colon(k, nfixed)
		local f = api[k]
		T[k] = function(a, ...)
			if not rawequal(a, T) then return f(a, ...) end
			deprecated(P, "Events:" .. k .. "(...)", "Events." .. k .. "(...)")
			if P.compat == 0 then return f(table_args(nfixed, ...)) end
			return f(...)
		end
	end
	colon("Call", 1)
	colon("CallRemote", 2)
	colon("BroadcastRemote", 1)
	return T
end

local function make_timer_api(P)
	local api = {}
	-- old_order reports the first API's order, (milliseconds, callback, {arguments}).
	local function old_order(fn, a, b)
		if type(a) ~= "function" and type(b) == "function" and tonumber(a) then
			deprecated(P, "Timer." .. fn .. "(milliseconds, callback)", "Timer." .. fn .. "(callback, milliseconds)")
			return true
		end
		return false
	end
	api.SetTimeout = function(a, b, ...)
		if old_order("SetTimeout", a, b) then
			-- The first API's SetTimeout repeated until its callback returned false, and took
			-- the callback's arguments as one table.
			return new_timer(P, b, a, true, table_args(0, ...))
		end
		return new_timer(P, a, b, false, ...)
	end
	api.SetInterval = function(a, b, ...)
		if old_order("SetInterval", a, b) then a, b = b, a end
		return new_timer(P, a, b, true, ...)
	end
	api.ClearTimeout = function(id) clear_timer(id) end
	api.ClearInterval = function(id) clear_timer(id) end
	api.Bind = function(id, actor)
		local t = timers[id]
		if not t then return end
		if actor == nil or (type(actor) ~= "table" and type(actor) ~= "userdata") then
			fail("Timer.Bind: the actor must be an entity")
		end
		local ok, isvalid = pcall(function() return actor.IsValid end)
		if not ok or type(isvalid) ~= "function" then
			fail("Timer.Bind: the actor has no IsValid method")
		end
		t.bound = actor
	end
	api.IsValid = function(id) return timers[id] ~= nil end
	api.GetElapsedTime = function(id)
		local t = timers[id]
		return t and math.floor(t.elapsed) or -1
	end
	api.GetRemainingTime = function(id)
		local t = timers[id]
		if not t then return -1 end
		local r = t.ms - t.elapsed
		return math.floor(r > 0 and r or 0)
	end
	api.SetRemainingTime = function(id, ms)
		local t = timers[id]
		if not t then return end
		ms = tonumber(ms) or 0
		t.elapsed = t.ms - ms
	end
	api.Pause = function(id) local t = timers[id] if t then t.paused = true end end
	api.Resume = function(id) local t = timers[id] if t then t.paused = nil end end
	api.ResetElapsedTime = function(id) local t = timers[id] if t then t.elapsed = 0 end end
	return static(P, "Timer", api)
end

local setting_keys = {
	SetName = "name", SetDescription = "description", SetLogo = "logo", SetMaxPlayers = "max_players",
	SetPassword = "password",
}

local function make_server_api(P)
	local api = {}
	local function info() return N.info() end
	api.Subscribe = function(event, fn)
		event = tostring(event)
		if event == "Console" then
			-- Lines that no command took (see the Go side's ConsoleLegacy).
			deprecated(P, 'Server.Subscribe("Console")', 'Console.Subscribe("PlayerSubmit")')
			return subscribe("Server", "Console", P, fn)
		elseif event == "Chat" then
			deprecated(P, 'Server.Subscribe("Chat")', 'Chat.Subscribe("PlayerSubmit")')
			return subscribe("Chat", "PlayerSubmit", P, fn)
		end
		return subscribe("Server", event, P, fn)
	end
	api.Unsubscribe = function(event, fn)
		event = tostring(event)
		if event == "Chat" then return unsubscribe("Chat", "PlayerSubmit", P, fn) end
		unsubscribe("Server", event, P, fn)
	end
	api.LoadPackage = function(name) return N.request("load", tostring(name)) end
	api.UnloadPackage = function(name) return N.request("unload", tostring(name)) end
	api.ReloadPackage = function(name) return N.request("reload", tostring(name)) end
	api.IsPackageLoaded = function(name) return packages[name] ~= nil end
	api.GetPackages = function(only_loaded, filter)
		if only_loaded == nil then only_loaded = true end
		filter = tonumber(filter) or -1
		local list = N.packages(only_loaded and true or false)
		local out = {}
		local typebits = { script = 1, ["game-mode"] = 2, ["loading-screen"] = 4, map = 16, ["c-module"] = 32 }
		for _, p in ipairs(list) do
			local bit = typebits[p.type] or 0
			if filter == -1 or (filter & bit) ~= 0 then
				if at_least(P, "1.49") then
					out[#out + 1] = { title = p.title, name = p.name, type = p.type, version = p.version, author = p.author }
				else
					out[#out + 1] = p.name
				end
			end
		end
		return out
	end
	for fname, key in pairs(setting_keys) do
		api[fname] = function(value, persist)
			local ok, err = N.setting(key, value, persist and true or false)
			if not ok then fail(format("Server.%s: %s", fname, err)) end
		end
	end
	api.GetName = function() return info().name end
	api.GetDescription = function() return info().description end
	api.GetLogo = function() return info().logo end
	api.GetMaxPlayers = function() return info().max_players end
	api.GetVersion = function() return info().version end
	api.GetIP = function() return info().ip end
	api.GetPort = function() return info().port end
	api.GetQueryPort = function() return info().query_port end
	api.GetTickRate = function() return info().tick_rate end
	-- Before 1.49 GetMap returned the map asset (GetMapAsset since).
	api.GetMap = function()
		if not at_least(P, "1.49") then
			local asset = N.map_asset()
			if asset ~= "" then return asset end
		end
		return info().map
	end
	api.GetLogLevel = function() return N.log_level() end
	api.GetTime = function() return N.time() end
	api.IsUnsafeLibsEnabled = function() return N.unsafe() end
	api.GetCustomSettings = function() return N.custom_settings() end
	api.GetMapConfig = function() return N.map_config() end
	api.GetMapCustomData = function()
		deprecated(P, "Server.GetMapCustomData", "Server.GetMapConfig")
		return N.map_config()
	end
	api.GetMapSpawnPoints = function()
		local raw = N.spawn_points()
		local V, R = rawget(G, "Vector"), rawget(G, "Rotator")
		for i, sp in ipairs(raw) do
			local l, r = sp.location, sp.rotation
			raw[i] = {
				location = V and V(l[1], l[2], l[3]) or { X = l[1], Y = l[2], Z = l[3] },
				rotation = R and R(r[1], r[2], r[3]) or { Pitch = r[1], Yaw = r[2], Roll = r[3] },
			}
		end
		for _, sp in ipairs(added_spawns) do
			raw[#raw + 1] = { location = sp.location, rotation = sp.rotation }
		end
		return raw
	end
	api.AddMapSpawnPoint = function(location, rotation)
		if type(location) ~= "table" and type(location) ~= "userdata" then
			fail("Server.AddMapSpawnPoint: location must be a Vector, got " .. type(location))
		end
		local R = rawget(G, "Rotator")
		if rotation == nil then rotation = R and R(0, 0, 0) or { Pitch = 0, Yaw = 0, Roll = 0 } end
		added_spawns[#added_spawns + 1] = { location = location, rotation = rotation }
	end
	api.GetMapAsset = function() return N.map_asset() end
	api.GetCompressionLevel = function() return N.compression() end
	api.IsAnnounced = function() return N.announced() end
	api.ChangeMap = function(map_path)
		local ok, err = pcall(N.change_map, tostring(map_path))
		if not ok then fail(tostring(err)) end
	end
	api.Stop = function() N.stop() end
	api.Restart = function() N.restart() end
	api.SetValue = function(key, value, sync)
		if type(value) == "function" then fail("Server.SetValue: functions cannot be stored as values") end
		if values[key] == nil and value ~= nil then value_keys[#value_keys + 1] = key end
		if value == nil and values[key] ~= nil then
			for i, k in ipairs(value_keys) do if k == key then table.remove(value_keys, i) break end end
		end
		values[key] = value
		local list = subs.Server and subs.Server.ValueChange
		if list then dispatch_local(list, "Server", "ValueChange", key, value) end
	end
	api.GetValue = function(key, fallback)
		local v = values[key]
		if v == nil then return fallback end
		return v
	end
	api.GetAllValuesKeys = function()
		local out = {}
		for i, k in ipairs(value_keys) do out[i] = k end
		return out
	end
	api.SetDefaultPlayerDimension = function(d) default_player_dim = math.tointeger(d) or default_player_dim end
	api.SetDefaultEntityDimension = function(d) default_entity_dim = math.tointeger(d) or default_entity_dim end
	api.GetDefaultPlayerDimension = function() return default_player_dim end
	api.GetDefaultEntityDimension = function() return default_entity_dim end
	api.GetConnectionCount = function() return N.connections() end

	-- Chat moved to the Chat class: forward to it when the server has one, otherwise (no
	-- player can read it) write the message to the console.
	api.BroadcastChatMessage = function(msg)
		deprecated(P, "Server.BroadcastChatMessage", "Chat.BroadcastMessage")
		local chat = rawget(G, "Chat")
		if type(chat) == "table" and type(chat.BroadcastMessage) == "function" then
			return chat.BroadcastMessage(msg)
		end
		log("info", P, "[chat] " .. tostring(msg), where())
	end
	-- HTTPRequest took the arguments HTTP.RequestAsync takes now, callback last.
	api.HTTPRequest = function(...)
		deprecated(P, "Server.HTTPRequest", "HTTP.RequestAsync")
		local http = rawget(G, "HTTP")
		if type(http) ~= "table" or type(http.RequestAsync) ~= "function" then
			fail("Server.HTTPRequest: the HTTP library is not available")
		end
		return http.RequestAsync(...)
	end
	api.SendChatMessage = function(player, msg)
		deprecated(P, "Server.SendChatMessage", "Chat.SendMessage")
		local chat = rawget(G, "Chat")
		if type(chat) == "table" and type(chat.SendMessage) == "function" then
			return chat.SendMessage(player, msg)
		end
		log("info", P, "[chat] " .. tostring(msg), where())
	end
	return static(P, "Server", api)
end

-- RT.remote is replaced by the network layer; by default remote events have no receiver.
function RT.remote(P, kind, name, reliability, fixed, args)
	return nil
end

-- ---------------------------------------------------------------------------------------------
-- package lifecycle (called from Go)

local unsafe_os = { "execute", "rename", "remove", "exit", "getenv", "tmpname", "setlocale" }

-- create makes the package record and its environment. meta: name, title, version, author,
-- kind, compat.
function RT.create(meta)
	local P = {
		name = meta.name, title = (meta.title ~= nil and meta.title ~= "") and meta.title or meta.name, version = meta.version or "",
		author = meta.author or "", kind = meta.kind or "script",
		compat_string = meta.compat or "", compat = compat_num(meta.compat), id = meta.id,
		timers = {}, commands = {}, exports = {}, required = {}, loading = {},
		api = {}, pdata = {}, pdirty = false,
		space = "Package:" .. meta.name,
	}
	next_uid = next_uid + 1
	P.uid = next_uid
	local env = setmetatable({}, { __index = G })
	P.env = env
	P.api.Console = make_console_api(P)
	P.api.Package = make_package_api(P)
	P.api.Events = make_events_api(P)
	P.api.Timer = make_timer_api(P)
	P.api.Server = make_server_api(P)
	for k, v in pairs(P.api) do env[k] = v end
	env.print = function(...)
		local n = select("#", ...)
		local parts = {}
		for i = 1, n do parts[i] = tostring((select(i, ...))) end
		log("info", P, concat(parts, "\t"), where())
	end
	-- load without an explicit environment runs in the package's environment, not the shared one.
	env.load = function(chunk, name, mode, e)
		if e == nil then e = env end
		return load(chunk, name, mode, e)
	end
	packages[P.name] = P
	order[#order + 1] = P.name
	local data = N.persist_load(P.name)
	if type(data) == "table" then P.pdata = data end
	return true
end

-- run_entry runs one of the package's entry files (Shared/Index.lua or Server/Index.lua) under
-- the Go-side budget.
function RT.run_entry(name, rel)
	enter()
	local P = packages[name]
	local logical = name .. "/" .. rel
	local src = N.read(logical)
	if not src then return end
	-- Unprotected, as in RT.call: the Go side reports errors.
	run_file(P, logical, src, true, 1)
end

-- teardown removes everything the package made except its environment.
local function teardown(P, keep_exports)
	for space, sp in pairs(subs) do
		for name, list in pairs(sp) do
			for _, e in ipairs(list) do
				if e.P == P then
					unsubscribe(space, name, P, nil)
					break
				end
			end
		end
	end
	subs[P.space] = nil
	for id in pairs(P.timers) do clear_timer(id) end
	for name in pairs(P.commands) do
		if commands[name] and commands[name].P == P then commands[name] = nil end
	end
	P.commands = {}
	if not keep_exports then
		for name in pairs(P.exports) do
			if exports[name] == P then
				exports[name] = nil
				local base = base_values[name]
				base_values[name] = nil
				rawset(G, name, base and base[1])
			end
		end
		P.exports = {}
	end
	P.required = {}
	P.loading = {}
end

function RT.unload_begin(name)
	local P = packages[name]
	if not P then return false end
	P.unloading = true
	return true
end

-- unload_finish is called after the Go side fired "Unload": it tears the package down.
function RT.unload_finish(name)
	local P = packages[name]
	if not P then return end
	persistent_flush(P)
	teardown(P, false)
	packages[name] = nil
	for i, n in ipairs(order) do if n == name then table.remove(order, i) break end end
end

-- hot_prepare clears subscriptions, timers and commands before the files run again; the
-- environment (the package's globals) and its exports stay.
function RT.hot_prepare(name)
	local P = packages[name]
	if not P then return false end
	teardown(P, true)
	P.unloading = nil
	-- Asynchronous work the old code started must not call back into the new code.
	next_uid = next_uid + 1
	P.uid = next_uid
	return true
end

function RT.flush_all()
	for _, name in ipairs(order) do
		local P = packages[name]
		if P then
			local ok, err = pcall(persistent_flush, P)
			if not ok then log("error", P, "persistent data: " .. tostring(err), "") end
		end
	end
end

function RT.has(name) return packages[name] ~= nil end

-- command runs a script-registered console command; it returns whether there is one.
function RT.command(name, ...)
	enter()
	local c = commands[name]
	if not c then return false end
	-- Unprotected, as in RT.call: the Go side reports errors.
	c.fn(...)
	return true
end

-- command_owner names the package of command name and where its callback is defined.
function RT.command_owner(name)
	local c = commands[name]
	if not c then return "", "" end
	return c.P.name, defined_at(c.fn)
end

-- command_list encodes the registered commands as lines of name \31 description \31 params
-- (comma separated) \31 package, sorted by name.
function RT.command_list()
	local names = {}
	for n in pairs(commands) do names[#names + 1] = n end
	sort(names)
	local lines = {}
	for _, n in ipairs(names) do
		local c = commands[n]
		lines[#lines + 1] = concat({ n, c.description, concat(c.parameters, ","), c.P.name }, "\31")
	end
	return concat(lines, "\n")
end

-- run_code runs console code in the package's environment and formats what it returned.
function RT.run_code(name, code)
	enter()
	local P = packages[name]
	if not P then return false, format("package '%s' is not loaded", name) end
	local f = load("return " .. code, "=" .. name .. "/(console)", "t", P.env)
	if not f then
		local err
		f, err = load(code, "=" .. name .. "/(console)", "t", P.env)
		if not f then return false, err end
	end
	-- Unprotected, as in RT.call: an error (a timeout above all) reaches the Go side located
	-- where it was raised.
	local res = pack(true, f())
	local parts = {}
	for i = 2, res.n do
		local v = res[i]
		parts[#parts + 1] = type(v) == "string" and v or inspect(v, 0, {})
	end
	return true, concat(parts, "\t")
end

function RT.tick_clock() return clock end

-- console_input fires Console "PlayerSubmit" (dispatched from Go per callback via begin/call).
function RT.stats()
	local nsubs = 0
	for _, sp in pairs(subs) do
		for _, list in pairs(sp) do nsubs = nsubs + #list end
	end
	local ncmd = 0
	for _ in pairs(commands) do ncmd = ncmd + 1 end
	local nexp = 0
	for _ in pairs(exports) do nexp = nexp + 1 end
	return nsubs, timer_count, ncmd, nexp
end

-- counts for one package: subscriptions, timers, commands, exports.
function RT.package_stats(name)
	local P = packages[name]
	if not P then return -1, -1, -1, -1 end
	local nsubs = 0
	for _, sp in pairs(subs) do
		for _, list in pairs(sp) do
			for _, e in ipairs(list) do if e.P == P then nsubs = nsubs + 1 end end
		end
	end
	local nt, nc, ne = 0, 0, 0
	for _ in pairs(P.timers) do nt = nt + 1 end
	for _ in pairs(P.commands) do nc = nc + 1 end
	for _ in pairs(P.exports) do ne = ne + 1 end
	return nsubs, nt, nc, ne
end

function RT.disable_unsafe()
	local os = rawget(G, "os")
	if type(os) == "table" then
		for _, k in ipairs(unsafe_os) do os[k] = nil end
	end
	rawset(G, "io", nil)
	rawset(G, "dofile", nil)
	rawset(G, "loadfile", nil)
	-- plain require would read files outside the package model; Package.Require replaces it.
	rawset(G, "require", nil)
	local pkg = rawget(G, "package")
	if type(pkg) == "table" then pkg.loadlib = nil pkg.cpath = "" pkg.path = "" end
end

-- ---------------------------------------------------------------------------------------------
-- asynchronous callbacks

-- ours tells whether a frame's source is the runtime or an embedded library
-- ("=nanoforge/utils.lua"): package chunks always have a folder after the package name.
local function ours(source)
	return source == RUNTIME or source:match("^=nanoforge/[^/]*$") ~= nil
end

-- running_package is the package whose code is running below the function at the given stack
-- level: the first frame that is neither ours nor a C function (a library's Go function)
-- names it through its chunk name.
local function running_package(level)
	while true do
		local info = getinfo(level + 1, "S")
		if not info then return nil end
		if not ours(info.source) and info.what ~= "C" then
			local name = info.short_src:match("^([^/]+)/")
			return name and packages[name]
		end
		level = level + 1
	end
end

-- running_owner is the owner token of the package whose code started asynchronous work in a
-- library (0: no package code on the stack). The token changes when the package is unloaded,
-- reloaded or hot-reloaded, so owner_alive drops the callbacks of work its old code started.
function RT.running_owner()
	local P = running_package(2)
	return P and P.uid or 0
end

-- owner_alive tells whether the package that got owner token uid from running_owner still runs
-- the code that started the work.
function RT.owner_alive(uid)
	for _, P in pairs(packages) do
		if P.uid == uid then return true end
	end
	return false
end

-- running_compat is the compatibility_version of the package whose code called the library
-- function that asks ("" when no package code is on the stack).
function RT.running_compat()
	local P = running_package(2)
	return P and P.compat_string or ""
end

return RT
