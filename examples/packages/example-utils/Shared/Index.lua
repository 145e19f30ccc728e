-- example-utils: small helpers shared with other packages through Package.Export.
-- Runs on the server and on clients (Shared/).

local Utils = {}

-- Formats a duration in seconds as "1h 02m 03s".
function Utils.FormatDuration(seconds)
	seconds = math.floor(seconds)
	local h = seconds // 3600
	local m = (seconds % 3600) // 60
	local s = seconds % 60
	if h > 0 then
		return string.format("%dh %02dm %02ds", h, m, s)
	end
	return string.format("%dm %02ds", m, s)
end

-- Returns a copy of t with keys sorted, as "k=v, k=v" (for readable logs).
function Utils.Describe(t)
	local keys = {}
	for k in pairs(t) do
		keys[#keys + 1] = tostring(k)
	end
	table.sort(keys)
	local parts = {}
	for _, k in ipairs(keys) do
		parts[#parts + 1] = k .. "=" .. tostring(t[k])
	end
	return table.concat(parts, ", ")
end

Package.Export("ExampleUtils", Utils)

Console.Log("example-utils ready")
