package lib

import "testing"

// TestAPICoverage checks that every server-side function and constant of
// the official API definitions for these classes exists (names listed from
// nanos-world/api: Structs, UtilityClasses, HTTP, Assets, Database, File
// and the string extensions).
func TestAPICoverage(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local api = {
			Vector = {"Equals", "Distance", "DistanceSquared", "GetUnsafeNormal", "GetSafeNormal", "IsNear", "IsNearlyZero", "IsZero", "Normalize", "Size", "SizeSquared", "ToOrientationRotator", "ToOrientationQuat", "Dot", "Cross", "__add", "__sub", "__mul", "__div", "__pow", "__unm", "__eq", "__tostring"},
			Vector2D = {"Distance", "DistanceSquared", "IsNear", "Size", "SizeSquared", "Dot", "Cross", "Lerp", "__add", "__sub", "__mul", "__div", "__unm", "__eq", "__tostring"},
			Rotator = {"GetForwardVector", "GetRightVector", "GetUpVector", "RotateVector", "Normalize", "UnrotateVector", "Quaternion", "GetNormalized", "IsNearlyZero", "IsZero", "Random", "__add", "__sub", "__mul", "__eq", "__tostring"},
			Quat = {"Normalize", "Rotator", "Inverse", "RotateVector", "UnrotateVector", "GetForwardVector", "GetRightVector", "GetUpVector", "__add", "__sub", "__mul", "__eq", "__tostring"},
			Color = {"ToHex", "RandomPalette", "Random", "FromRGBA", "FromCYMK", "FromHSL", "FromHSV", "FromHEX", "__add", "__sub", "__mul", "__div", "__eq", "__tostring"},
			Matrix = {"TransformVector", "GetTransposed"},
			JSON = {"stringify", "parse"},
			TOML = {"Dump", "Parse"},
			NanosMath = {"Round", "Clamp", "ClampAxis", "NormalizeAxis", "RelativeTo", "LocalToWorld", "RandomFloat", "FInterpTo", "RInterpTo", "RInterpConstantTo", "VInterpTo", "VInterpConstantTo"},
			NanosTable = {"Dump", "ShallowCopy"},
			NanosUtils = {"IsEntityValid", "Benchmark"},
			HTTP = {"RequestAsync", "Request", "SetConnectionTimeout", "SetReadWriteTimeout"},
			Assets = {"GetAssetPacks", "GetAssetPath", "GetAnimations", "GetBlueprints", "GetMaps", "GetMaterials", "GetParticles", "GetSounds", "GetSkeletalMeshes", "GetStaticMeshes", "GetOthers", "Precache"},
			File = {"Time", "CreateDirectory", "Remove", "Rename", "Exists", "IsDirectory", "IsRegularFile", "GetDirectories", "GetFiles", "GetFullPath"},
			string = {"StartsWith", "EndsWith", "Trim", "FormatArgs", "ToTable"},
		}
		local missing = {}
		for class, names in pairs(api) do
			local c = _G[class]
			if type(c) ~= "table" then
				missing[#missing + 1] = class
			else
				for _, n in ipairs(names) do
					if type(c[n]) ~= "function" then missing[#missing + 1] = class .. "." .. n end
				end
			end
		end
		for _, k in ipairs({"WHITE", "BLACK", "TRANSPARENT", "RED", "GREEN", "BLUE", "YELLOW", "CYAN", "MAGENTA", "ORANGE", "CHARTREUSE", "AQUAMARINE", "AZURE", "VIOLET", "ROSE"}) do
			if getmetatable(Color[k]) ~= Color then missing[#missing + 1] = "Color." .. k end
		end
		local db = Database(0, ":memory:")
		for _, n in ipairs({"Close", "ExecuteAsync", "Execute", "SelectAsync", "Select"}) do
			if type(db[n]) ~= "function" then missing[#missing + 1] = "Database:" .. n end
		end
		db:Close()
		local f = File("coverage.txt")
		for _, n in ipairs({"Close", "Flush", "IsEOF", "IsBad", "IsGood", "HasFailed", "Read", "ReadAsync", "ReadLine", "ReadJSON", "ReadJSONAsync", "Seek", "Size", "Skip", "Tell", "Write"}) do
			if type(f[n]) ~= "function" then missing[#missing + 1] = "File:" .. n end
		end
		f:Close()
		table.sort(missing)
		eq(table.concat(missing, ", "), "", "missing API members")
	`)
}
