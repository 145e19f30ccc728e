-- Table work: array fill and scan, hash inserts and lookups with string and float keys.
local arr = {}
for i = 1, 1000000 do arr[i] = i * 3 end
local sum = 0
for i = 1, #arr do sum = sum + arr[i] end
local hash = {}
for i = 1, 300000 do hash["k" .. (i % 5000)] = i end
for i = 1, 500000 do hash[i + 0.5] = i end
for i = 1, 500000 do sum = sum + hash[i + 0.5] end
local n = 0
for _ in pairs(hash) do n = n + 1 end
return sum + n
