-- Structs: Vector, Vector2D, Rotator, Quat, Color and Matrix.
--
-- Every struct is a plain Lua table whose metatable is the struct table
-- itself (so getmetatable(v) == Vector holds, as packages check), with
-- public fields named as in the API (X, Y, Z / Pitch, Yaw, Roll / R, G, B, A).
-- Component-wise operators are generated from one template per struct so the
-- hot paths stay free of loops and closures.

local type, setmetatable, getmetatable, tonumber, error = type, setmetatable, getmetatable, tonumber, error
local format, concat = string.format, table.concat
local sqrt, sin, cos, atan, asin, abs, floor, random, pi = math.sqrt, math.sin, math.cos, math.atan, math.asin, math.abs,
	math.floor, math.random, math.pi

local DEG2RAD = pi / 180
local RAD2DEG = 180 / pi

-- describe names a value for error messages: the struct name or Lua type.
local function describe(v)
	local mt = getmetatable(v)
	if type(mt) == "table" and type(rawget(mt, "__name")) == "string" then
		return rawget(mt, "__name")
	end
	return type(v)
end

-- make_struct creates the struct table with a callable constructor.
local function make_struct(name, comps, defaults)
	local S = {}
	S.__index = S
	S.__name = name
	-- Constructor source: `Vector(x, y, z)` with tonumber coercion (strings
	-- such as "1.5" are accepted, as map files store spawn points as text).
	local args, locals, fields = {}, {}, {}
	for i, c in ipairs(comps) do
		args[i] = "_" .. c
		locals[i] = format("local %s = tonumber(_%s) or %s", c, c, defaults[i])
		fields[i] = format("%s = %s", c, c)
	end
	-- Two compiled copies of the body: Vector.new(x, y, z) and the class
	-- call Vector(x, y, z), which gets the class as an extra first
	-- argument; calling new from __call would cost a second call.
	local src = format([[
local S, tonumber, setmetatable = ...
return function(%s)
	%s
	return setmetatable({ %s }, S)
end, function(_, %s)
	%s
	return setmetatable({ %s }, S)
end]], concat(args, ", "), concat(locals, "\n\t"), concat(fields, ", "),
		concat(args, ", "), concat(locals, "\n\t"), concat(fields, ", "))
	local new, call = assert(load(src, "=" .. name .. ".new"))(S, tonumber, setmetatable)
	S.new = new
	setmetatable(S, { __call = call })
	return S, new
end

-- gen_ops builds arithmetic metamethods for a struct: op is one of + - * /
-- and each operand may be the struct or a number.
local function gen_ops(S, name, comps, ops)
	for meta, op in pairs(ops) do
		local both, left, right = {}, {}, {}
		for i, c in ipairs(comps) do
			both[i] = format("%s = a.%s %s b.%s", c, c, op, c)
			left[i] = format("%s = a %s b.%s", c, op, c)
			right[i] = format("%s = a.%s %s b", c, c, op)
		end
		local src = format([[
local S, type, getmetatable, setmetatable, error, describe = ...
return function(a, b)
	local mb = getmetatable(b)
	if mb == S then
		local ma = getmetatable(a)
		if ma == S then
			return setmetatable({ %s }, S)
		elseif type(a) == "number" then
			return setmetatable({ %s }, S)
		end
	elseif type(b) == "number" and getmetatable(a) == S then
		return setmetatable({ %s }, S)
	end
	error("attempt to perform arithmetic (%s) on " .. describe(a) .. " and " .. describe(b) .. ": %s expects a %s or a number", 2)
end]], concat(both, ", "), concat(left, ", "), concat(right, ", "), op, name, name)
		S[meta] = assert(load(src, "=" .. name .. meta))(S, type, getmetatable, setmetatable, error, describe)
	end
	local neg, eq = {}, {}
	for i, c in ipairs(comps) do
		neg[i] = format("%s = -a.%s", c, c)
		eq[i] = format("a.%s == b.%s", c, c)
	end
	S.__unm = assert(load(format([[
local S, setmetatable = ...
return function(a) return setmetatable({ %s }, S) end]], concat(neg, ", ")), "=" .. name .. ".__unm"))(S, setmetatable)
	S.__eq = assert(load(format([[
return function(a, b) return %s end]], concat(eq, " and ")), "=" .. name .. ".__eq"))()
end

-- check raises a clear error when a method gets the wrong kind of argument.
local function check(S, v, fname, idx)
	if getmetatable(v) ~= S then
		error(format("bad argument #%d to '%s' (%s expected, got %s)", idx, fname, rawget(S, "__name"), describe(v)), 3)
	end
end

-------------------------------------------------------------------------------
-- Vector
-------------------------------------------------------------------------------

local Vector, vnew = make_struct("Vector", { "X", "Y", "Z" }, { "0", "X", "X" })
_G.Vector = Vector
gen_ops(Vector, "Vector", { "X", "Y", "Z" }, { __add = "+", __sub = "-", __mul = "*", __div = "/" })

-- ^ is the cross product.
function Vector.__pow(a, b)
	check(Vector, a, "Vector ^", 1)
	check(Vector, b, "Vector ^", 2)
	return setmetatable({ X = a.Y * b.Z - a.Z * b.Y, Y = a.Z * b.X - a.X * b.Z, Z = a.X * b.Y - a.Y * b.X }, Vector)
end

function Vector.__tostring(v)
	return "Vector(X = " .. v.X .. ", Y = " .. v.Y .. ", Z = " .. v.Z .. ")"
end

function Vector:Equals(other, tolerance)
	check(Vector, other, "Vector:Equals", 1)
	tolerance = tolerance or 0.000001
	return abs(self.X - other.X) <= tolerance and abs(self.Y - other.Y) <= tolerance and abs(self.Z - other.Z) <= tolerance
end

function Vector:Distance(other)
	check(Vector, other, "Vector:Distance", 1)
	local dx, dy, dz = other.X - self.X, other.Y - self.Y, other.Z - self.Z
	return sqrt(dx * dx + dy * dy + dz * dz)
end

function Vector:DistanceSquared(other)
	check(Vector, other, "Vector:DistanceSquared", 1)
	local dx, dy, dz = other.X - self.X, other.Y - self.Y, other.Z - self.Z
	return dx * dx + dy * dy + dz * dz
end

function Vector:Size()
	return sqrt(self.X * self.X + self.Y * self.Y + self.Z * self.Z)
end

function Vector:SizeSquared()
	return self.X * self.X + self.Y * self.Y + self.Z * self.Z
end

function Vector:GetUnsafeNormal()
	local scale = 1 / sqrt(self.X * self.X + self.Y * self.Y + self.Z * self.Z)
	return vnew(self.X * scale, self.Y * scale, self.Z * scale)
end

function Vector:GetSafeNormal(tolerance)
	tolerance = tolerance or 1e-8
	local sq = self.X * self.X + self.Y * self.Y + self.Z * self.Z
	if sq == 1 then
		return vnew(self.X, self.Y, self.Z)
	elseif sq < tolerance then
		return vnew(0, 0, 0)
	end
	local scale = 1 / sqrt(sq)
	return vnew(self.X * scale, self.Y * scale, self.Z * scale)
end

function Vector:IsNear(other, radius)
	check(Vector, other, "Vector:IsNear", 1)
	local dx, dy, dz = other.X - self.X, other.Y - self.Y, other.Z - self.Z
	return dx * dx + dy * dy + dz * dz <= radius * radius
end

function Vector:IsNearlyZero(tolerance)
	tolerance = tolerance or 0.000001
	return abs(self.X) <= tolerance and abs(self.Y) <= tolerance and abs(self.Z) <= tolerance
end

function Vector:IsZero()
	return self.X == 0 and self.Y == 0 and self.Z == 0
end

-- Normalize scales the vector in place to unit length; a vector too short
-- to normalize is left as is and false is returned.
function Vector:Normalize(tolerance)
	tolerance = tolerance or 1e-8
	local sq = self.X * self.X + self.Y * self.Y + self.Z * self.Z
	if sq > tolerance then
		local scale = 1 / sqrt(sq)
		self.X, self.Y, self.Z = self.X * scale, self.Y * scale, self.Z * scale
		return true
	end
	return false
end

function Vector:ToOrientationRotator()
	return Rotator(atan(self.Z, sqrt(self.X * self.X + self.Y * self.Y)) * RAD2DEG, atan(self.Y, self.X) * RAD2DEG, 0)
end

-- Older name of ToOrientationRotator.
Vector.Rotation = Vector.ToOrientationRotator

function Vector:ToOrientationQuat()
	return self:ToOrientationRotator():Quaternion()
end

function Vector:Dot(other)
	check(Vector, other, "Vector:Dot", 1)
	return self.X * other.X + self.Y * other.Y + self.Z * other.Z
end

function Vector:Cross(other)
	check(Vector, other, "Vector:Cross", 1)
	return setmetatable({
		X = self.Y * other.Z - self.Z * other.Y,
		Y = self.Z * other.X - self.X * other.Z,
		Z = self.X * other.Y - self.Y * other.X,
	}, Vector)
end

-------------------------------------------------------------------------------
-- Vector2D
-------------------------------------------------------------------------------

local Vector2D, v2new = make_struct("Vector2D", { "X", "Y" }, { "0", "X" })
_G.Vector2D = Vector2D
gen_ops(Vector2D, "Vector2D", { "X", "Y" }, { __add = "+", __sub = "-", __mul = "*", __div = "/" })

function Vector2D.__tostring(v)
	return format("Vector2D(X = %.2f, Y = %.2f)", v.X, v.Y)
end

function Vector2D:Distance(other)
	check(Vector2D, other, "Vector2D:Distance", 1)
	local dx, dy = other.X - self.X, other.Y - self.Y
	return sqrt(dx * dx + dy * dy)
end

function Vector2D:DistanceSquared(other)
	check(Vector2D, other, "Vector2D:DistanceSquared", 1)
	local dx, dy = other.X - self.X, other.Y - self.Y
	return dx * dx + dy * dy
end

function Vector2D:IsNear(other, radius)
	check(Vector2D, other, "Vector2D:IsNear", 1)
	local dx, dy = other.X - self.X, other.Y - self.Y
	return dx * dx + dy * dy <= radius * radius
end

function Vector2D:Size()
	return sqrt(self.X * self.X + self.Y * self.Y)
end

function Vector2D:SizeSquared()
	return self.X * self.X + self.Y * self.Y
end

function Vector2D:Dot(other)
	check(Vector2D, other, "Vector2D:Dot", 1)
	return self.X * other.X + self.Y * other.Y
end

-- Cross is the 2D cross product: the Z of the 3D cross product.
function Vector2D:Cross(other)
	check(Vector2D, other, "Vector2D:Cross", 1)
	return self.X * other.Y - self.Y * other.X
end

function Vector2D:Lerp(other, alpha)
	check(Vector2D, other, "Vector2D:Lerp", 1)
	return v2new(self.X + (other.X - self.X) * alpha, self.Y + (other.Y - self.Y) * alpha)
end

-------------------------------------------------------------------------------
-- Rotator (degrees; Unreal conventions: X forward, Y right, Z up)
-------------------------------------------------------------------------------

local Rotator, rnew = make_struct("Rotator", { "Pitch", "Yaw", "Roll" }, { "0", "Pitch", "Pitch" })
_G.Rotator = Rotator
gen_ops(Rotator, "Rotator", { "Pitch", "Yaw", "Roll" }, { __add = "+", __sub = "-", __mul = "*", __div = "/" })

function Rotator.__tostring(r)
	return format("Rotator(Pitch = %.2f, Yaw = %.2f, Roll = %.2f)", r.Pitch, r.Yaw, r.Roll)
end

-- axes returns the rotation matrix rows: forward, right and up.
local function axes(r)
	local p, y, ro = r.Pitch * DEG2RAD, r.Yaw * DEG2RAD, r.Roll * DEG2RAD
	local sp, cp, sy, cy, sr, cr = sin(p), cos(p), sin(y), cos(y), sin(ro), cos(ro)
	return cp * cy, cp * sy, sp,
		sr * sp * cy - cr * sy, sr * sp * sy + cr * cy, -sr * cp,
		-(cr * sp * cy + sr * sy), cy * sr - cr * sp * sy, cr * cp
end

function Rotator:GetForwardVector()
	local fx, fy, fz = axes(self)
	return vnew(fx, fy, fz)
end

function Rotator:GetRightVector()
	local _, _, _, rx, ry, rz = axes(self)
	return vnew(rx, ry, rz)
end

function Rotator:GetUpVector()
	local _, _, _, _, _, _, ux, uy, uz = axes(self)
	return vnew(ux, uy, uz)
end

function Rotator:RotateVector(v)
	check(Vector, v, "Rotator:RotateVector", 1)
	local fx, fy, fz, rx, ry, rz, ux, uy, uz = axes(self)
	local x, y, z = v.X, v.Y, v.Z
	return vnew(x * fx + y * rx + z * ux, x * fy + y * ry + z * uy, x * fz + y * rz + z * uz)
end

function Rotator:UnrotateVector(v)
	check(Vector, v, "Rotator:UnrotateVector", 1)
	local fx, fy, fz, rx, ry, rz, ux, uy, uz = axes(self)
	local x, y, z = v.X, v.Y, v.Z
	return vnew(x * fx + y * fy + z * fz, x * rx + y * ry + z * rz, x * ux + y * uy + z * uz)
end

function Rotator:Normalize()
	local n = NanosMath.NormalizeAxis
	self.Pitch, self.Yaw, self.Roll = n(self.Pitch), n(self.Yaw), n(self.Roll)
end

function Rotator:GetNormalized()
	local n = NanosMath.NormalizeAxis
	return rnew(n(self.Pitch), n(self.Yaw), n(self.Roll))
end

function Rotator:Equals(other, tolerance)
	check(Rotator, other, "Rotator:Equals", 1)
	tolerance = tolerance or 0.000001
	local n = NanosMath.NormalizeAxis
	return abs(n(self.Pitch - other.Pitch)) <= tolerance and abs(n(self.Yaw - other.Yaw)) <= tolerance and
		abs(n(self.Roll - other.Roll)) <= tolerance
end

function Rotator:IsNearlyZero(tolerance)
	tolerance = tolerance or 0.000001
	local n = NanosMath.NormalizeAxis
	return abs(n(self.Pitch)) <= tolerance and abs(n(self.Yaw)) <= tolerance and abs(n(self.Roll)) <= tolerance
end

function Rotator:IsZero()
	local n = NanosMath.ClampAxis
	return n(self.Pitch) == 0 and n(self.Yaw) == 0 and n(self.Roll) == 0
end

function Rotator:Quaternion()
	local h = DEG2RAD / 2
	local p, y, r = (self.Pitch % 360) * h, (self.Yaw % 360) * h, (self.Roll % 360) * h
	local sp, cp, sy, cy, sr, cr = sin(p), cos(p), sin(y), cos(y), sin(r), cos(r)
	return Quat(
		cr * sp * sy - sr * cp * cy,
		-cr * sp * cy - sr * cp * sy,
		cr * cp * sy - sr * sp * cy,
		cr * cp * cy + sr * sp * sy)
end

function Rotator.Random(roll, low, high)
	low = type(low) == "number" and low or -180
	high = type(high) == "number" and high or 180
	local span = high - low
	return rnew(low + random() * span, low + random() * span, roll and (low + random() * span) or 0)
end

-------------------------------------------------------------------------------
-- Quat
-------------------------------------------------------------------------------

local Quat, qnew = make_struct("Quat", { "X", "Y", "Z", "W" }, { "0", "X", "X", "X" })
_G.Quat = Quat
gen_ops(Quat, "Quat", { "X", "Y", "Z", "W" }, { __add = "+", __sub = "-" })

-- Quat * Quat is the Hamilton product (apply b, then a); a number scales.
function Quat.__mul(a, b)
	if type(b) == "number" then
		return qnew(a.X * b, a.Y * b, a.Z * b, a.W * b)
	elseif type(a) == "number" then
		return qnew(a * b.X, a * b.Y, a * b.Z, a * b.W)
	end
	check(Quat, a, "Quat *", 1)
	check(Quat, b, "Quat *", 2)
	return qnew(
		a.W * b.X + a.X * b.W + a.Y * b.Z - a.Z * b.Y,
		a.W * b.Y - a.X * b.Z + a.Y * b.W + a.Z * b.X,
		a.W * b.Z + a.X * b.Y - a.Y * b.X + a.Z * b.W,
		a.W * b.W - a.X * b.X - a.Y * b.Y - a.Z * b.Z)
end

function Quat.__tostring(q)
	return format("Quat(X = %.4f, Y = %.4f, Z = %.4f, W = %.4f)", q.X, q.Y, q.Z, q.W)
end

function Quat:Normalize(tolerance)
	tolerance = tolerance or 1e-8
	local sq = self.X * self.X + self.Y * self.Y + self.Z * self.Z + self.W * self.W
	if sq >= tolerance then
		local s = 1 / sqrt(sq)
		self.X, self.Y, self.Z, self.W = self.X * s, self.Y * s, self.Z * s, self.W * s
	else
		self.X, self.Y, self.Z, self.W = 0, 0, 0, 1
	end
end

function Quat:Inverse()
	return qnew(-self.X, -self.Y, -self.Z, self.W)
end

local function qrotate(qx, qy, qz, qw, vx, vy, vz)
	-- v' = v + w*t + q x t, with t = 2 (q x v)
	local tx, ty, tz = 2 * (qy * vz - qz * vy), 2 * (qz * vx - qx * vz), 2 * (qx * vy - qy * vx)
	return vnew(vx + qw * tx + (qy * tz - qz * ty), vy + qw * ty + (qz * tx - qx * tz), vz + qw * tz + (qx * ty - qy * tx))
end

function Quat:RotateVector(v)
	check(Vector, v, "Quat:RotateVector", 1)
	return qrotate(self.X, self.Y, self.Z, self.W, v.X, v.Y, v.Z)
end

function Quat:UnrotateVector(v)
	check(Vector, v, "Quat:UnrotateVector", 1)
	return qrotate(-self.X, -self.Y, -self.Z, self.W, v.X, v.Y, v.Z)
end

function Quat:GetForwardVector() return qrotate(self.X, self.Y, self.Z, self.W, 1, 0, 0) end

function Quat:GetRightVector() return qrotate(self.X, self.Y, self.Z, self.W, 0, 1, 0) end

function Quat:GetUpVector() return qrotate(self.X, self.Y, self.Z, self.W, 0, 0, 1) end

function Quat:Rotator()
	local X, Y, Z, W = self.X, self.Y, self.Z, self.W
	local test = Z * X - W * Y
	local yaw = atan(2 * (W * Z + X * Y), 1 - 2 * (Y * Y + Z * Z)) * RAD2DEG
	local threshold = 0.4999995
	if test < -threshold then
		return rnew(-90, yaw, NanosMath.NormalizeAxis(-yaw - 2 * atan(X, W) * RAD2DEG))
	elseif test > threshold then
		return rnew(90, yaw, NanosMath.NormalizeAxis(yaw - 2 * atan(X, W) * RAD2DEG))
	end
	return rnew(asin(2 * test) * RAD2DEG, yaw, atan(-2 * (W * X + Y * Z), 1 - 2 * (X * X + Y * Y)) * RAD2DEG)
end

-------------------------------------------------------------------------------
-- Color (components 0-1)
-------------------------------------------------------------------------------

local Color, cnew = make_struct("Color", { "R", "G", "B", "A" }, { "0", "R", "R", "1" })
_G.Color = Color
gen_ops(Color, "Color", { "R", "G", "B", "A" }, { __add = "+", __sub = "-", __mul = "*", __div = "/" })

function Color.__tostring(c)
	return format("Color(R = %.3f, G = %.3f, B = %.3f, A = %.3f)", c.R, c.G, c.B, c.A)
end

local function byte255(v)
	local b = floor(v * 255 + 0.5)
	if b < 0 then return 0 end
	if b > 255 then return 255 end
	return b
end

function Color:ToHex(appends_transparency)
	if appends_transparency == false then
		return format("#%02X%02X%02X", byte255(self.R), byte255(self.G), byte255(self.B))
	end
	return format("#%02X%02X%02X%02X", byte255(self.R), byte255(self.G), byte255(self.B), byte255(self.A))
end

Color.WHITE = cnew(1, 1, 1)
Color.BLACK = cnew(0, 0, 0)
Color.TRANSPARENT = cnew(0, 0, 0, 0)
Color.RED = cnew(1, 0, 0)
Color.GREEN = cnew(0, 1, 0)
Color.BLUE = cnew(0, 0, 1)
Color.YELLOW = cnew(1, 1, 0)
Color.CYAN = cnew(0, 1, 1)
Color.MAGENTA = cnew(1, 0, 1)
Color.ORANGE = cnew(1, 0.5, 0)
Color.CHARTREUSE = cnew(0.5, 1, 1)
Color.AQUAMARINE = cnew(0, 1, 0.5)
Color.AZURE = cnew(0, 0.5, 1)
Color.VIOLET = cnew(0.5, 0, 1)
Color.ROSE = cnew(1, 0, 0.5)

-- The palette starts with black so RandomPalette(false) can skip it.
Color.PALETTE = {
	Color.BLACK, Color.WHITE, Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW, Color.CYAN, Color.MAGENTA,
	Color.ORANGE, Color.CHARTREUSE, Color.AQUAMARINE, Color.AZURE, Color.VIOLET, Color.ROSE,
}

-- Palette entries are copied so a package changing one cannot change the constants.
function Color.RandomPalette(includes_black)
	local first = includes_black == false and 2 or 1
	local c = Color.PALETTE[random(first, #Color.PALETTE)]
	return cnew(c.R, c.G, c.B, c.A)
end

function Color.Random()
	return cnew(random(), random(), random())
end

local function unit255(v, fname, idx)
	v = tonumber(v)
	if v == nil then
		error(format("bad argument #%d to 'Color.%s' (number expected)", idx, fname), 3)
	end
	if v < 0 then v = 0 elseif v > 255 then v = 255 end
	return v / 255
end

function Color.FromRGBA(r, g, b, a)
	return cnew(unit255(r or 0, "FromRGBA", 1), unit255(g or 0, "FromRGBA", 2), unit255(b or 0, "FromRGBA", 3),
		unit255(a or 255, "FromRGBA", 4))
end

-- FromCYMK keeps the API's parameter order: cyan, yellow, magenta, key.
function Color.FromCYMK(c, y, m, k, a)
	c, y, m, k = c or 0, y or 0, m or 0, k or 0
	return cnew((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k), a or 1)
end

-- hue_rgb places chroma on the RGB channels for hue h (degrees in [0, 360)), the step
-- FromHSL and FromHSV share before adding their lightness offset.
local function hue_rgb(h, chroma)
	local hp = h / 60
	local x = chroma * (1 - abs(hp % 2 - 1))
	if hp < 1 then return chroma, x, 0
	elseif hp < 2 then return x, chroma, 0
	elseif hp < 3 then return 0, chroma, x
	elseif hp < 4 then return 0, x, chroma
	elseif hp < 5 then return x, 0, chroma
	end
	return chroma, 0, x
end

-- FromHSL takes hue in degrees, saturation and lightness in 0-1.
function Color.FromHSL(h, s, l)
	h, s, l = (h or 0) % 360, s or 0, l or 0
	local chroma = (1 - abs(2 * l - 1)) * s
	local r, g, b = hue_rgb(h, chroma)
	local m = l - chroma / 2
	return cnew(r + m, g + m, b + m)
end

-- FromHSV takes hue in degrees, saturation and value in 0-1.
function Color.FromHSV(h, s, v)
	h, s, v = (h or 0) % 360, s or 0, v or 0
	local chroma = v * s
	local r, g, b = hue_rgb(h, chroma)
	local m = v - chroma
	return cnew(r + m, g + m, b + m)
end

-- FromHEX accepts RGB, RGBA, RRGGBB and RRGGBBAA, with or without '#'.
function Color.FromHEX(hex)
	if type(hex) ~= "string" then
		error("bad argument #1 to 'Color.FromHEX' (string expected, got " .. type(hex) .. ")", 2)
	end
	local digits = hex:gsub("^#", "")
	if not digits:match("^%x+$") or not (#digits == 3 or #digits == 4 or #digits == 6 or #digits == 8) then
		error(format("Color.FromHEX: %q is not a hex color: use #RGB, #RGBA, #RRGGBB or #RRGGBBAA", hex), 2)
	end
	local n = #digits
	if n <= 4 then
		local function nib(i) return tonumber(digits:sub(i, i), 16) / 15 end
		return cnew(nib(1), nib(2), nib(3), n == 4 and nib(4) or 1)
	end
	local function byte(i) return tonumber(digits:sub(i, i + 1), 16) / 255 end
	return cnew(byte(1), byte(3), byte(5), n == 8 and byte(7) or 1)
end

-------------------------------------------------------------------------------
-- Matrix (rotation + origin, used internally and by a few packages)
-------------------------------------------------------------------------------

local Matrix = {}
Matrix.__index = Matrix
Matrix.__name = "Matrix"
_G.Matrix = Matrix

local function mnew(m)
	return setmetatable({ M = m }, Matrix)
end

setmetatable(Matrix, {
	__call = function(_, rotation, origin)
		rotation = rotation or rnew(0, 0, 0)
		origin = origin or vnew(0, 0, 0)
		local fx, fy, fz, rx, ry, rz, ux, uy, uz = axes(rotation)
		return mnew({
			{ fx, fy, fz, 0 },
			{ rx, ry, rz, 0 },
			{ ux, uy, uz, 0 },
			{ origin.X, origin.Y, origin.Z, 1 },
		})
	end,
})

-- TransformVector applies the rotation part only (no translation), as a
-- direction transform.
function Matrix:TransformVector(v)
	check(Vector, v, "Matrix:TransformVector", 1)
	local m = self.M
	local x, y, z = v.X, v.Y, v.Z
	return vnew(x * m[1][1] + y * m[2][1] + z * m[3][1], x * m[1][2] + y * m[2][2] + z * m[3][2],
		x * m[1][3] + y * m[2][3] + z * m[3][3])
end

function Matrix:GetTransposed()
	local m, t = self.M, {}
	for i = 1, 4 do
		t[i] = {}
		for j = 1, 4 do
			t[i][j] = m[j][i]
		end
	end
	return mnew(t)
end
