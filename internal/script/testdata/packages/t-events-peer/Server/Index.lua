-- The peer of t-events: answers "to-peer" with "from-peer".
local n = 0
Events.Subscribe("to-peer", function(msg)
	n = n + 1
	if msg == "hello" then Events.Call("from-peer", "peer-" .. n) end
end)
