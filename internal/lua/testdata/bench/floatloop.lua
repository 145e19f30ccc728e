-- A tight numeric loop: ten million float multiply-adds.
local acc, step = 0.0, 0.25
for i = 1, 10000000 do
  acc = acc * 0.5 + step
end
return acc
