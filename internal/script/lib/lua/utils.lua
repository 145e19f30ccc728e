-- NanosTable, NanosUtils and the string extensions.
-- The chunk receives one argument: deprecated(what), which reports use of
-- a legacy name once (the host decides how it is logged).

local deprecated = ...
if type(deprecated) ~= "function" then deprecated = function() end end

local type, tostring, pairs, ipairs, getmetatable, next = type, tostring, pairs, ipairs, getmetatable, next
local format, rep, concat, sort = string.format, string.rep, table.concat, table.sort

NanosTable = {}

-- ShallowCopy copies the top level of a table, keeping its metatable.
function NanosTable.ShallowCopy(t)
	if type(t) ~= "table" then
		error("bad argument #1 to 'NanosTable.ShallowCopy' (table expected, got " .. type(t) .. ")", 2)
	end
	local copy = {}
	for k, v in next, t do
		copy[k] = v
	end
	return setmetatable(copy, getmetatable(t))
end

local function is_struct(v)
	local mt = getmetatable(v)
	return mt ~= nil and (mt == Vector or mt == Rotator or mt == Vector2D or mt == Color or mt == Quat)
end

local function key_less(a, b)
	local ta, tb = type(a), type(b)
	if ta == "number" and tb == "number" then return a < b end
	if ta == "number" then return true end
	if tb == "number" then return false end
	return tostring(a) < tostring(b)
end

-- Dump renders a value as readable text: tables with sorted keys and
-- four-space indentation, strings quoted, structs and entities through
-- tostring, and a table already being printed as <cycle>. Strings are
-- shown between double quotes as they are (no escaping), like nanos does.
function NanosTable.Dump(value)
	local out, n = {}, 0
	local visiting = {}
	local function put(s)
		n = n + 1
		out[n] = s
	end
	local function dump(v, depth)
		local tv = type(v)
		if tv == "string" then
			put('"' .. v .. '"')
		elseif tv ~= "table" or is_struct(v) or type(rawget(v, "__entity")) == "userdata" then
			put(tostring(v))
		elseif visiting[v] then
			put("<cycle " .. tostring(v) .. ">")
		elseif next(v) == nil then
			-- Packages compare the dump of an empty result with "{}".
			put("{}")
		else
			visiting[v] = true
			local keys = {}
			for k in pairs(v) do keys[#keys + 1] = k end
			sort(keys, key_less)
			put(depth == 0 and "\n{" or "{")
			local pad = rep(" ", (depth + 1) * 4)
			for _, k in ipairs(keys) do
				if type(k) == "string" then
					put("\n" .. pad .. '"' .. k .. '" = ')
				else
					put("\n" .. pad .. tostring(k) .. " = ")
				end
				dump(v[k], depth + 1)
				put(",")
			end
			put("\n" .. rep(" ", depth * 4) .. "}")
			visiting[v] = nil
		end
	end
	dump(value, 0)
	return concat(out)
end

NanosUtils = {}

-- IsEntityValid is true for a live entity: a value with an IsValid method
-- that reports true.
function NanosUtils.IsEntityValid(entity)
	if entity == nil then return false end
	local ok, is_valid = pcall(function() return entity.IsValid end)
	if not ok or type(is_valid) ~= "function" then return false end
	local ok2, res = pcall(is_valid, entity)
	return ok2 and res == true
end

-- Benchmark runs func amount times, logs the elapsed time and returns it in
-- milliseconds.
function NanosUtils.Benchmark(name, amount, func, ...)
	if type(func) ~= "function" then
		error("bad argument #3 to 'NanosUtils.Benchmark' (function expected, got " .. type(func) .. ")", 2)
	end
	amount = math.tointeger(amount) or 1
	collectgarbage()
	local start = os.clock()
	for _ = 1, amount do
		func(...)
	end
	local elapsed = (os.clock() - start) * 1000
	local msg = format("Benchmark '%s' (x%d) took %.3fms.", tostring(name), amount, elapsed)
	if type(Console) == "table" and type(Console.Log) == "function" then
		Console.Log(msg)
	else
		print(msg)
	end
	return elapsed
end

-- Legacy helpers still called by older packages.
function NanosUtils.Dump(value)
	deprecated("NanosUtils.Dump (use NanosTable.Dump)")
	return NanosTable.Dump(value)
end

function NanosUtils.ShallowCopyTable(t)
	deprecated("NanosUtils.ShallowCopyTable (use NanosTable.ShallowCopy)")
	return NanosTable.ShallowCopy(t)
end

-- IsA is true when value's metatable is class, or when value has an IsA
-- method (entities) that says so.
function NanosUtils.IsA(value, class)
	deprecated("NanosUtils.IsA")
	if getmetatable(value) == class then return true end
	if type(value) == "table" then
		local ok, m = pcall(function() return value.IsA end)
		if ok and type(m) == "function" then
			local ok2, res = pcall(m, value, class)
			return ok2 and res == true
		end
	end
	return false
end

local function format_args(str, ...)
	str = str or ""
	local args = table.pack(...)
	return (str:gsub("{(%d+)}", function(d)
		local i = tonumber(d)
		if i >= 1 and i <= args.n then
			return tostring(args[i])
		end
	end))
end

function NanosUtils.FormatString(str, ...)
	deprecated("NanosUtils.FormatString (use string.FormatArgs)")
	return format_args(str, ...)
end

-- String extensions (available as methods: ("abc"):StartsWith("a")).

function string.StartsWith(str, prefix)
	return str:sub(1, #prefix) == prefix
end

function string.EndsWith(str, suffix)
	return suffix == "" or str:sub(-#suffix) == suffix
end

function string.Trim(str)
	return (str:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- FormatArgs replaces {1}, {2}, ... with the matching argument.
function string.FormatArgs(str, ...)
	return format_args(str, ...)
end

function string.ToTable(str)
	local t = {}
	for i = 1, #str do
		t[i] = str:sub(i, i)
	end
	return t
end
