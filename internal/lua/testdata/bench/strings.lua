-- String building: string.format, concatenation, table.concat, pattern matching.
local parts = {}
for i = 1, 150000 do
  parts[#parts + 1] = string.format("%s-%d=%.3f", "key", i, i / 7)
end
local joined = table.concat(parts, ";")
local matches = 0
for k, v in joined:gmatch("key%-(%d+)=([%d%.]+)") do
  matches = matches + 1
end
local total = 0
for i = 1, 150000 do
  local s = "player:" .. i .. ":" .. (i * 3) .. ":end"
  total = total + #s
end
local acc = {}
for i = 1, 20000 do acc[#acc + 1] = tostring(i):upper() end
return matches + total + #table.concat(acc)
