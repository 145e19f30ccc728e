local Inventory = {}
Inventory.__index = Inventory

function Inventory.new(capacity)
	return setmetatable({ items = {}, capacity = capacity }, Inventory)
end

function Inventory:Add(...)
	for _, item in ipairs({ ... }) do
		if #self.items >= self.capacity then break end
		self.items[#self.items + 1] = item
	end
	return #self.items
end

function Inventory:Take(item)
	for i, v in ipairs(self.items) do
		if v == item then return table.remove(self.items, i) end
	end
	error({ item = item, reason = "not in inventory" })
end

function Inventory:Sorted()
	local copy = { table.unpack(self.items) }
	table.sort(copy)
	return copy
end

return Inventory
