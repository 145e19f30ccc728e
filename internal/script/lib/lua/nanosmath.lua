-- NanosMath: numeric helpers shared by the structs and by packages.
-- Loaded first: the structs below call NanosMath.NormalizeAxis.

local floor, random = math.floor, math.random

NanosMath = {}

local function check_number(fname, idx, v)
	if type(v) ~= "number" then
		error(string.format("bad argument #%d to 'NanosMath.%s' (number expected, got %s)", idx, fname, type(v)), 3)
	end
end

-- Round rounds half away from zero to an integer, or to `decimals` places
-- when that optional second argument is given (older packages pass it).
function NanosMath.Round(value, decimals)
	check_number("Round", 1, value)
	if decimals == nil or decimals == 0 then
		if value >= 0 then
			return floor(value + 0.5)
		end
		return -floor(-value + 0.5)
	end
	local shift = 10 ^ decimals
	if value >= 0 then
		return floor(value * shift + 0.5) / shift
	end
	return -floor(-value * shift + 0.5) / shift
end

function NanosMath.Clamp(value, low, high)
	check_number("Clamp", 1, value)
	check_number("Clamp", 2, low)
	check_number("Clamp", 3, high)
	if value < low then return low end
	if value > high then return high end
	return value
end

-- ClampAxis maps any angle into [0, 360).
function NanosMath.ClampAxis(angle)
	check_number("ClampAxis", 1, angle)
	local a = angle % 360.0
	if a < 0 then a = a + 360.0 end
	return a
end

-- NormalizeAxis maps any angle into (-180, 180].
function NanosMath.NormalizeAxis(angle)
	check_number("NormalizeAxis", 1, angle)
	local a = angle % 360.0
	if a < 0 then a = a + 360.0 end
	if a > 180.0 then a = a - 360.0 end
	return a
end

function NanosMath.RandomFloat(low, high)
	low = low or 0
	high = high or 1
	return low + random() * (high - low)
end

-- FInterpTo moves current towards target by a fraction proportional to
-- delta_time * interp_speed, reaching the target when that reaches 1.
function NanosMath.FInterpTo(current, target, delta_time, interp_speed)
	check_number("FInterpTo", 1, current)
	check_number("FInterpTo", 2, target)
	if interp_speed <= 0 then return target end
	local dist = target - current
	if dist * dist < 1e-8 then return target end
	local alpha = delta_time * interp_speed
	if alpha > 1 then alpha = 1 elseif alpha < 0 then alpha = 0 end
	return current + dist * alpha
end

function NanosMath.VInterpTo(current, target, delta_time, interp_speed)
	if interp_speed <= 0 then return Vector(target.X, target.Y, target.Z) end
	local dist = target - current
	if dist:SizeSquared() < 1e-8 then return Vector(target.X, target.Y, target.Z) end
	local alpha = delta_time * interp_speed
	if alpha > 1 then alpha = 1 elseif alpha < 0 then alpha = 0 end
	return current + dist * alpha
end

function NanosMath.VInterpConstantTo(current, target, delta_time, interp_speed)
	local dist = target - current
	local size = dist:Size()
	local step = interp_speed * delta_time
	if size > step then
		if step > 0 then
			return current + dist * (step / size)
		end
		return Vector(current.X, current.Y, current.Z)
	end
	return Vector(target.X, target.Y, target.Z)
end

function NanosMath.RInterpTo(current, target, delta_time, interp_speed)
	if delta_time == 0 or interp_speed <= 0 then
		return Rotator(target.Pitch, target.Yaw, target.Roll)
	end
	local alpha = delta_time * interp_speed
	if alpha > 1 then alpha = 1 elseif alpha < 0 then alpha = 0 end
	local delta = (target - current):GetNormalized()
	if delta:IsNearlyZero(1e-3) then
		return Rotator(target.Pitch, target.Yaw, target.Roll)
	end
	return (current + delta * alpha):GetNormalized()
end

function NanosMath.RInterpConstantTo(current, target, delta_time, interp_speed)
	if delta_time == 0 or current == target then
		return Rotator(current.Pitch, current.Yaw, current.Roll)
	end
	if interp_speed <= 0 then
		return Rotator(target.Pitch, target.Yaw, target.Roll)
	end
	local step = interp_speed * delta_time
	local delta = (target - current):GetNormalized()
	local function clamp(v)
		if v > step then return step end
		if v < -step then return -step end
		return v
	end
	return (current + Rotator(clamp(delta.Pitch), clamp(delta.Yaw), clamp(delta.Roll))):GetNormalized()
end

-- RelativeTo expresses a world location and rotation in the frame of an
-- actor (anything with GetLocation, GetRotation and GetScale).
function NanosMath.RelativeTo(location, rotation, actor)
	local a_loc = actor:GetLocation()
	local a_rot = actor:GetRotation()
	local a_scale = actor.GetScale and actor:GetScale() or Vector(1, 1, 1)
	local rel_loc = a_rot:UnrotateVector(location - a_loc) / a_scale
	local rel_rot = (a_rot:Quaternion():Inverse() * rotation:Quaternion()):Rotator()
	return rel_loc, rel_rot
end

-- LocalToWorld is the inverse of RelativeTo.
function NanosMath.LocalToWorld(local_location, local_rotation, actor)
	local a_loc = actor:GetLocation()
	local a_rot = actor:GetRotation()
	local a_scale = actor.GetScale and actor:GetScale() or Vector(1, 1, 1)
	local world_loc = a_loc + a_rot:RotateVector(local_location * a_scale)
	local world_rot = (a_rot:Quaternion() * local_rotation:Quaternion()):Rotator()
	return world_loc, world_rot
end

-- Older name of LocalToWorld.
NanosMath.WorldFromRelative = NanosMath.LocalToWorld

