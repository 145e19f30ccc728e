-- Game-style objects: a class hierarchy through __index chains, method calls every tick.
local Actor = {}
Actor.__index = Actor

function Actor.new(id)
  return setmetatable({ id = id, x = 0.0, y = 0.0, health = 100 }, Actor)
end

function Actor:translate(dx, dy)
  self.x = self.x + dx
  self.y = self.y + dy
end

function Actor:hurt(amount)
  self.health = self.health - amount
  if self.health < 0 then self.health = 100 end
end

local Character = setmetatable({}, { __index = Actor })
Character.__index = Character

function Character.new(id, name)
  local c = Actor.new(id)
  c.name = name
  return setmetatable(c, Character)
end

function Character:update(t)
  self:translate(0.5, -0.5)
  self:hurt(t % 7)
end

local crowd = {}
for i = 1, 128 do crowd[i] = Character.new(i, "npc" .. i) end
for t = 1, 15000 do
  for i = 1, #crowd do crowd[i]:update(t) end
end
local sum = 0
for i = 1, #crowd do sum = sum + crowd[i].health + crowd[i].x end
return sum
