package lib

import "testing"

func TestVector(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local v = Vector(1, 2, 3)
		eq(v.X, 1, "X") eq(v.Y, 2, "Y") eq(v.Z, 3, "Z")
		eq(math.type(v.X), "integer", "integer args stay integers")
		eq(getmetatable(v), Vector, "metatable is the class")
		eq(tostring(v), "Vector(X = 1, Y = 2, Z = 3)", "tostring")
		eq(tostring(Vector(1.5)), "Vector(X = 1.5, Y = 1.5, Z = 1.5)", "one argument fills all")
		eq(tostring(Vector()), "Vector(X = 0, Y = 0, Z = 0)", "default")
		eq(Vector("2", "3", "4").Z, 4, "numeric strings are accepted")
		eq(Vector.new(5).Y, 5, "Vector.new")

		eq(v + Vector(1), Vector(2, 3, 4), "+ vector")
		eq(v + 1, Vector(2, 3, 4), "+ number")
		eq(1 + v, Vector(2, 3, 4), "number +")
		eq(v - Vector(1, 1, 1), Vector(0, 1, 2), "- vector")
		eq(10 - v, Vector(9, 8, 7), "number -")
		eq(v * 2, Vector(2, 4, 6), "* number")
		eq(2 * v, Vector(2, 4, 6), "number *")
		eq(v * v, Vector(1, 4, 9), "* vector")
		eq(v / 2, Vector(0.5, 1, 1.5), "/ number")
		eq(v / Vector(1, 2, 3), Vector(1, 1, 1), "/ vector")
		eq(-v, Vector(-1, -2, -3), "unary -")
		eq(Vector(1, 0, 0) ^ Vector(0, 1, 0), Vector(0, 0, 1), "^ is the cross product")
		eq(v == Vector(1, 2, 3), true, "==")
		eq(v ~= Vector(1, 2, 4), true, "~=")
		fails(function() return v + nil end, "Vector expects a Vector or a number")
		fails(function() return v + Rotator() end, "attempt to perform arithmetic (+) on Vector and Rotator")

		eq(Vector(3, 4, 0):Size(), 5.0, "Size")
		eq(Vector(3, 4, 0):SizeSquared(), 25, "SizeSquared")
		eq(Vector(0, 0, 0):Distance(Vector(3, 4, 0)), 5.0, "Distance")
		eq(Vector(0, 0, 0):DistanceSquared(Vector(3, 4, 0)), 25, "DistanceSquared")
		eq(v:Dot(Vector(1, 1, 1)), 6, "Dot")
		eq(Vector(1, 0, 0):Cross(Vector(0, 1, 0)), Vector(0, 0, 1), "Cross")
		eq(Vector(0, 0, 0):IsNear(Vector(1, 1, 0), 1.5), true, "IsNear inside")
		eq(Vector(0, 0, 0):IsNear(Vector(1, 1, 0), 1.4), false, "IsNear outside")
		eq(Vector(1e-9, 0, 0):IsNearlyZero(), true, "IsNearlyZero")
		eq(Vector(0.1, 0, 0):IsNearlyZero(0.2), true, "IsNearlyZero tolerance")
		eq(Vector():IsZero(), true, "IsZero") eq(v:IsZero(), false, "not IsZero")
		eq(Vector(1, 2, 3):Equals(Vector(1, 2, 3.0000001)), true, "Equals")
		eq(Vector(1, 2, 3):Equals(Vector(1, 2, 3.1), 0.2), true, "Equals tolerance")
		eq(Vector(1, 2, 3):Equals(Vector(1, 2, 3.1)), false, "not Equals")

		local n = Vector(3, 0, 4)
		eq(n:Normalize(), true, "Normalize ok")
		near(n.X, 0.6, "Normalize X") near(n.Z, 0.8, "Normalize Z")
		local z = Vector()
		eq(z:Normalize(), false, "Normalize zero")
		eq(z, Vector(), "zero untouched")
		near(Vector(0, 0, 5):GetSafeNormal().Z, 1, "GetSafeNormal")
		eq(Vector():GetSafeNormal(), Vector(0, 0, 0), "GetSafeNormal zero")
		near(Vector(0, 2, 0):GetUnsafeNormal().Y, 1, "GetUnsafeNormal")

		local r = Vector(1, 1, 0):ToOrientationRotator()
		near(r.Yaw, 45, "orientation yaw") near(r.Pitch, 0, "orientation pitch") eq(r.Roll, 0, "orientation roll")
		near(Vector(0, 0, 1):ToOrientationRotator().Pitch, 90, "up pitch")
		local q = Vector(0, 1, 0):ToOrientationQuat()
		eq(getmetatable(q), Quat, "ToOrientationQuat gives a Quat")
		local f = q:GetForwardVector()
		near(f.X, 0, "quat forward X") near(f.Y, 1, "quat forward Y")

		-- Vectors are plain tables: fields can be set.
		local m = Vector(1, 2, 3) m.X = 10
		eq(m.X, 10, "mutable field")
	`)
}

func TestVector2D(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local a = Vector2D(3, 4)
		eq(tostring(a), "Vector2D(X = 3.00, Y = 4.00)", "tostring")
		eq(Vector2D(2).Y, 2, "one argument")
		eq(a + Vector2D(1, 1), Vector2D(4, 5), "+")
		eq(a - 1, Vector2D(2, 3), "- number")
		eq(a * 2, Vector2D(6, 8), "*")
		eq(a / Vector2D(3, 4), Vector2D(1, 1), "/")
		eq(-a, Vector2D(-3, -4), "unary -")
		eq(a:Size(), 5.0, "Size") eq(a:SizeSquared(), 25, "SizeSquared")
		eq(a:Distance(Vector2D(0, 0)), 5.0, "Distance") eq(a:DistanceSquared(Vector2D()), 25, "DistanceSquared")
		eq(a:IsNear(Vector2D(3, 5), 1), true, "IsNear")
		eq(a:Dot(Vector2D(1, 1)), 7, "Dot")
		eq(Vector2D(1, 0):Cross(Vector2D(0, 1)), 1, "Cross")
		eq(Vector2D(0, 0):Lerp(Vector2D(10, 20), 0.5), Vector2D(5, 10), "Lerp")
		fails(function() return a:Dot(Vector(1, 1, 1)) end, "Vector2D expected, got Vector")
	`)
}

func TestRotator(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local r = Rotator(10, 20, 30)
		eq(tostring(r), "Rotator(Pitch = 10.00, Yaw = 20.00, Roll = 30.00)", "tostring")
		eq(Rotator(5).Roll, 5, "one argument")
		eq(r + Rotator(1, 1, 1), Rotator(11, 21, 31), "+")
		eq(r - 10, Rotator(0, 10, 20), "-")
		eq(r * 2, Rotator(20, 40, 60), "*")

		local f = Rotator(0, 90, 0):GetForwardVector()
		near(f.X, 0, "fwd X") near(f.Y, 1, "fwd Y") near(f.Z, 0, "fwd Z")
		local up = Rotator(0, 0, 0):GetUpVector()
		near(up.Z, 1, "up Z")
		local right = Rotator(0, 0, 0):GetRightVector()
		near(right.Y, 1, "right Y")
		near(Rotator(90, 0, 0):GetForwardVector().Z, 1, "pitch up looks up")

		local v = Vector(1, 2, 3)
		local rv = r:RotateVector(v)
		local back = r:UnrotateVector(rv)
		near(back.X, 1, "unrotate X") near(back.Y, 2, "unrotate Y") near(back.Z, 3, "unrotate Z")
		near(rv:Size(), v:Size(), "rotation keeps length")
		local qv = r:Quaternion():RotateVector(v)
		near(qv.X, rv.X, "quat agrees X") near(qv.Y, rv.Y, "quat agrees Y") near(qv.Z, rv.Z, "quat agrees Z")

		local rr = r:Quaternion():Rotator()
		near(rr.Pitch, 10, "round trip pitch", 1e-9) near(rr.Yaw, 20, "round trip yaw", 1e-9) near(rr.Roll, 30, "round trip roll", 1e-9)

		local n = Rotator(270, -190, 540)
		n:Normalize()
		eq(n, Rotator(-90, 170, 180), "Normalize")
		eq(Rotator(360, 0, 0):GetNormalized(), Rotator(0, 0, 0), "GetNormalized")
		eq(Rotator(360, 720, 0):IsZero(), true, "IsZero ignores winding")
		eq(Rotator(0.0000001, 0, 0):IsNearlyZero(), true, "IsNearlyZero")
		eq(Rotator(1, 0, 0):IsNearlyZero(), false, "not IsNearlyZero")
		eq(Rotator(0, 180, 0):Equals(Rotator(0, -180, 0)), true, "Equals across the wrap")

		for i = 1, 50 do
			local x = Rotator.Random()
			assert(x.Pitch >= -180 and x.Pitch <= 180 and x.Roll == 0, "Random range")
			local y = Rotator.Random(true, 0, 10)
			assert(y.Roll >= 0 and y.Roll <= 10 and y.Yaw >= 0 and y.Yaw <= 10, "Random with roll")
		end
	`)
}

func TestQuat(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local q = Quat(0, 0, 0, 1)
		eq(tostring(q), "Quat(X = 0.0000, Y = 0.0000, Z = 0.0000, W = 1.0000)", "tostring")
		eq(Quat(2).W, 2, "one argument fills W too")
		eq(q + Quat(1, 1, 1, 1), Quat(1, 1, 1, 2), "+")
		eq(q - Quat(0, 0, 0, 1), Quat(0, 0, 0, 0), "-")
		eq(q * 2, Quat(0, 0, 0, 2), "* number")

		local a, b = Rotator(0, 90, 0):Quaternion(), Rotator(0, 45, 0):Quaternion()
		local c = (a * b):Rotator()
		near(c.Yaw, 135, "composition adds yaw")
		local inv = a:Inverse()
		local id = (a * inv)
		near(id.W, 1, "q * q^-1 is identity") near(id.Z, 0, "identity Z")

		local v = Vector(1, 0, 0)
		local r = a:RotateVector(v)
		near(r.Y, 1, "RotateVector") near(a:UnrotateVector(r).X, 1, "UnrotateVector")
		near(a:GetForwardVector().Y, 1, "GetForwardVector")
		near(a:GetRightVector().X, -1, "GetRightVector")
		near(a:GetUpVector().Z, 1, "GetUpVector")

		local n = Quat(0, 0, 3, 4) n:Normalize()
		near(n.Z, 0.6, "Normalize Z") near(n.W, 0.8, "Normalize W")
		local z = Quat(0, 0, 0, 0) z:Normalize()
		eq(z, Quat(0, 0, 0, 1), "Normalize zero gives identity")

		local gimbal = Rotator(90, 30, 0):Quaternion():Rotator()
		near(gimbal.Pitch, 90, "singularity pitch")
	`)
}

func TestColor(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local c = Color(1, 0.5, 0)
		eq(tostring(c), "Color(R = 1.000, G = 0.500, B = 0.000, A = 1.000)", "tostring")
		eq(Color(0.2).B, 0.2, "one argument") eq(Color(0.2).A, 1, "alpha defaults to 1")
		eq(Color.RED, Color(1, 0, 0), "RED")
		eq(Color.TRANSPARENT.A, 0, "TRANSPARENT")
		eq(Color.CHARTREUSE, Color(0.5, 1, 1), "CHARTREUSE as documented")
		for _, k in ipairs({"WHITE","BLACK","TRANSPARENT","RED","GREEN","BLUE","YELLOW","CYAN","MAGENTA","ORANGE","CHARTREUSE","AQUAMARINE","AZURE","VIOLET","ROSE"}) do
			eq(getmetatable(Color[k]), Color, k)
		end
		eq(c + Color(0, 0.5, 1, 0), Color(1, 1, 1, 1), "+")
		eq(c * 2, Color(2, 1, 0, 2), "*")
		eq(c / 2, Color(0.5, 0.25, 0, 0.5), "/")
		eq(c - Color(1, 0.5, 0, 1), Color(0, 0, 0, 0), "-")
		eq(c == Color(1, 0.5, 0, 1), true, "==")

		eq(Color.RED:ToHex(), "#FF0000FF", "ToHex")
		eq(Color.RED:ToHex(false), "#FF0000", "ToHex without alpha")
		eq(Color(2, -1, 0):ToHex(false), "#FF0000", "ToHex clamps")
		eq(Color.FromHEX("#FF8000"):ToHex(), "#FF8000FF", "FromHEX 6")
		eq(Color.FromHEX("00FF0080"):ToHex(), "#00FF0080", "FromHEX 8")
		eq(Color.FromHEX("#F00"), Color(1, 0, 0, 1), "FromHEX 3")
		eq(Color.FromHEX("#F008").A, 8 / 15, "FromHEX 4")
		fails(function() Color.FromHEX("#GG0000") end, "is not a hex color")
		fails(function() Color.FromHEX("#12345") end, "is not a hex color")

		eq(Color.FromRGBA(255, 0, 0), Color(1, 0, 0, 1), "FromRGBA default alpha opaque")
		eq(Color.FromRGBA(0, 51, 0, 0), Color(0, 0.2, 0, 0), "FromRGBA")
		eq(Color.FromRGBA(300, 0, 0).R, 1, "FromRGBA clamps")
		local h = Color.FromHSL(120, 1, 0.5)
		near(h.G, 1, "HSL green") near(h.R, 0, "HSL R")
		local hsv = Color.FromHSV(240, 1, 1)
		near(hsv.B, 1, "HSV blue") near(hsv.G, 0, "HSV G")
		near(Color.FromHSV(0, 0, 0.5).R, 0.5, "HSV grey")
		-- One hue in each 60-degree sector, with the standard RGB of full saturation.
		local sectors = {
			{30, 1, 0.5, 0}, {90, 0.5, 1, 0}, {150, 0, 1, 0.5},
			{210, 0, 0.5, 1}, {270, 0.5, 0, 1}, {330, 1, 0, 0.5},
			{390, 1, 0.5, 0}, {-30, 1, 0, 0.5},
		}
		for _, s in ipairs(sectors) do
			local v = Color.FromHSV(s[1], 1, 1)
			near(v.R, s[2], "HSV R at " .. s[1]) near(v.G, s[3], "HSV G at " .. s[1]) near(v.B, s[4], "HSV B at " .. s[1])
			-- At lightness 0.75 HSL is halfway between that colour and white.
			local l = Color.FromHSL(s[1], 1, 0.75)
			near(l.R, (1 + s[2]) / 2, "HSL R at " .. s[1]) near(l.G, (1 + s[3]) / 2, "HSL G at " .. s[1]) near(l.B, (1 + s[4]) / 2, "HSL B at " .. s[1])
		end
		local cmyk = Color.FromCYMK(1, 0, 0, 0)
		near(cmyk.R, 0, "CYMK cyan R") near(cmyk.G, 1, "CYMK cyan G") near(cmyk.B, 1, "CYMK cyan B")
		near(Color.FromCYMK(0, 0, 0, 1).R, 0, "CYMK black")

		for i = 1, 100 do
			local p = Color.RandomPalette(false)
			assert(p ~= Color.BLACK, "RandomPalette(false) never gives black")
			local r = Color.Random()
			assert(r.R >= 0 and r.R <= 1 and r.A == 1, "Random range")
		end
		local p = Color.RandomPalette() p.R = 0.123
		assert(Color.WHITE.R == 1 and Color.RED.R == 1, "palette constants are not shared")
	`)
}

func TestMatrix(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local r = Rotator(10, 20, 30)
		local m = Matrix(r, Vector(1, 2, 3))
		local v = m:TransformVector(Vector(1, 2, 3))
		local w = r:RotateVector(Vector(1, 2, 3))
		near(v.X, w.X, "TransformVector X") near(v.Y, w.Y, "TransformVector Y")
		local back = m:GetTransposed():TransformVector(v)
		near(back.X, 1, "transposed undoes X") near(back.Z, 3, "transposed undoes Z")
		eq(m.M[4][1], 1, "origin row")
	`)
}

func TestStructsFromGo(t *testing.T) {
	e := newTestEnv(t)
	L := e.L
	PushVector(L, 1, 2, 3)
	if err := L.SetGlobal("gv"); err != nil {
		t.Fatal(err)
	}
	PushRotator(L, 10, 20, 30)
	_ = L.SetGlobal("gr")
	PushColor(L, 1, 0, 0, 1)
	_ = L.SetGlobal("gc")
	PushVector2D(L, 4, 5)
	_ = L.SetGlobal("gv2")
	PushQuat(L, 0, 0, 0, 1)
	_ = L.SetGlobal("gq")
	e.run(`
		eq(getmetatable(gv), Vector, "PushVector metatable") eq(gv + Vector(1), Vector(2, 3, 4), "PushVector arithmetic")
		eq(getmetatable(gr), Rotator, "PushRotator") eq(gr.Yaw, 20, "yaw")
		eq(gc, Color.RED, "PushColor") eq(getmetatable(gv2), Vector2D, "PushVector2D") eq(gq, Quat(0, 0, 0, 1), "PushQuat")
		Vector = nil -- a package replacing the global does not break Go-made structs
		rv, rr, rc, rq = Rotator(1, 2, 3), Rotator(4, 5, 6), Color(0.5, 0.5, 0.5), Quat(1, 2, 3)
		partial = {X = 7}
		bad = {X = "x"}
	`)
	PushVector(L, 9, 8, 7)
	if L.GetMetatable(-1) {
		L.RawGetField(-1, "__name")
		name, _ := L.ToString(-1)
		L.Pop(2)
		if name != "Vector" {
			t.Errorf("metatable after the global was replaced = %q", name)
		}
	} else {
		t.Error("Vector pushed after the global was replaced has no metatable")
	}
	if x, y, z, ok := ToVector(L, -1); !ok || x != 9 || y != 8 || z != 7 {
		t.Errorf("ToVector = %v %v %v %v", x, y, z, ok)
	}
	L.Pop(1)
	get := func(name string) {
		t.Helper()
		if _, err := L.GetGlobal(name); err != nil {
			t.Fatal(err)
		}
	}
	get("rr")
	if p, y, r, ok := ToRotator(L, -1); !ok || p != 4 || y != 5 || r != 6 {
		t.Errorf("ToRotator = %v %v %v %v", p, y, r, ok)
	}
	get("rc")
	if r, g, b, a, ok := ToColor(L, -1); !ok || r != 0.5 || g != 0.5 || b != 0.5 || a != 1 {
		t.Errorf("ToColor = %v %v %v %v %v", r, g, b, a, ok)
	}
	get("rq")
	if x, y, z, w, ok := ToQuat(L, -1); !ok || x != 1 || y != 2 || z != 3 || w != 1 {
		t.Errorf("ToQuat = %v %v %v %v %v", x, y, z, w, ok)
	}
	get("partial")
	if x, y, z, ok := ToVector(L, -1); !ok || x != 7 || y != 0 || z != 0 {
		t.Errorf("ToVector(partial) = %v %v %v %v", x, y, z, ok)
	}
	get("bad")
	if _, _, _, ok := ToVector(L, -1); ok {
		t.Error("ToVector accepted a non-number field")
	}
	L.PushInteger(3)
	if _, _, ok := ToVector2D(L, -1); ok {
		t.Error("ToVector2D accepted a number")
	}
	L.Pop(6)
}
