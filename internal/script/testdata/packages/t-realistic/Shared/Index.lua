-- Shared code written the way community packages are: a small class system and utilities.
local MAX_LEVEL <const> = 50

Class = {}
Class.__index = Class

function Class.extend(base, name)
	local cls = setmetatable({}, { __index = base })
	cls.__index = cls
	cls.__name = name
	cls.__tostring = function(self) return string.format("%s(%s)", name, self:Describe()) end
	return cls
end

Entity = Class:extend("Entity")

function Entity.new(cls, id)
	local self = setmetatable({}, cls)
	self.id = id
	self.flags = 0
	return self
end

function Entity:Describe() return "#" .. self.id end

function Entity:SetFlag(bit) self.flags = self.flags | (1 << bit) end
function Entity:HasFlag(bit) return self.flags & (1 << bit) ~= 0 end
function Entity:ClearFlag(bit) self.flags = self.flags & ~(1 << bit) end

PlayerData = Entity:extend("PlayerData")

function PlayerData.new(id, name, xp)
	local self = Entity.new(PlayerData, id)
	self.name = name
	self.xp = xp
	return self
end

function PlayerData:Level()
	return math.min(self.xp // 100 + 1, MAX_LEVEL)
end

function PlayerData:Describe()
	return self.name .. " lvl " .. self:Level()
end
