package lib

import (
	"fmt"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// Go access to the structs, for the rest of the API (entity locations,
// rotations, colors): PushVector and friends build the same tables Lua's
// Vector(...) builds, and ToVector and friends read any table with the
// struct's numeric fields.

// structRegistryKey is where Register keeps each struct's class table, so
// the helpers do not depend on globals a package may have replaced.
func structRegistryKey(name string) string { return "nanoforge.struct." + name }

var structNames = []string{"Vector", "Vector2D", "Rotator", "Quat", "Color"}

// saveStructClasses stores the class tables in the registry.
func saveStructClasses(s *lua.State) error {
	for _, name := range structNames {
		t, err := s.GetGlobal(name)
		if err != nil {
			return err
		}
		if t != lua.TypeTable {
			s.Pop(1)
			return fmt.Errorf("lib: struct %s was not defined", name)
		}
		s.RawSetField(lua.RegistryIndex, structRegistryKey(name))
	}
	return nil
}

func pushStruct(s *lua.State, name string, fields []string, values []float64) {
	s.CreateTable(0, len(fields))
	for i, f := range fields {
		s.PushNumber(values[i])
		s.RawSetField(-2, f)
	}
	if s.GetNamedMetatable(structRegistryKey(name)) == lua.TypeTable {
		s.SetMetatable(-2)
	} else {
		s.Pop(1) // Register was not called on this state: a plain table
	}
}

// PushVector pushes Vector(x, y, z).
func PushVector(s *lua.State, x, y, z float64) {
	pushStruct(s, "Vector", []string{"X", "Y", "Z"}, []float64{x, y, z})
}

// PushVector2D pushes Vector2D(x, y).
func PushVector2D(s *lua.State, x, y float64) {
	pushStruct(s, "Vector2D", []string{"X", "Y"}, []float64{x, y})
}

// PushRotator pushes Rotator(pitch, yaw, roll).
func PushRotator(s *lua.State, pitch, yaw, roll float64) {
	pushStruct(s, "Rotator", []string{"Pitch", "Yaw", "Roll"}, []float64{pitch, yaw, roll})
}

// PushQuat pushes Quat(x, y, z, w).
func PushQuat(s *lua.State, x, y, z, w float64) {
	pushStruct(s, "Quat", []string{"X", "Y", "Z", "W"}, []float64{x, y, z, w})
}

// PushColor pushes Color(r, g, b, a).
func PushColor(s *lua.State, r, g, b, a float64) {
	pushStruct(s, "Color", []string{"R", "G", "B", "A"}, []float64{r, g, b, a})
}

// readFields reads numeric fields of the table at idx without running
// metamethods. A missing field takes def; ok is false when idx is not a
// table or a field holds a non-number.
func readFields(s *lua.State, idx int, fields []string, def []float64) ([]float64, bool) {
	if s.Type(idx) != lua.TypeTable {
		return nil, false
	}
	idx = s.AbsIndex(idx)
	out := make([]float64, len(fields))
	for i, f := range fields {
		switch s.RawGetField(idx, f) {
		case lua.TypeNumber:
			out[i], _ = s.ToNumber(-1)
		case lua.TypeNil:
			out[i] = def[i]
		default:
			s.Pop(1)
			return nil, false
		}
		s.Pop(1)
	}
	return out, true
}

// ToVector reads a Vector (or any table with numeric X, Y, Z; missing
// fields are 0).
func ToVector(s *lua.State, idx int) (x, y, z float64, ok bool) {
	v, ok := readFields(s, idx, []string{"X", "Y", "Z"}, []float64{0, 0, 0})
	if !ok {
		return 0, 0, 0, false
	}
	return v[0], v[1], v[2], true
}

// ToVector2D reads a Vector2D.
func ToVector2D(s *lua.State, idx int) (x, y float64, ok bool) {
	v, ok := readFields(s, idx, []string{"X", "Y"}, []float64{0, 0})
	if !ok {
		return 0, 0, false
	}
	return v[0], v[1], true
}

// ToRotator reads a Rotator.
func ToRotator(s *lua.State, idx int) (pitch, yaw, roll float64, ok bool) {
	v, ok := readFields(s, idx, []string{"Pitch", "Yaw", "Roll"}, []float64{0, 0, 0})
	if !ok {
		return 0, 0, 0, false
	}
	return v[0], v[1], v[2], true
}

// ToQuat reads a Quat (a missing W is 1: the identity rotation).
func ToQuat(s *lua.State, idx int) (x, y, z, w float64, ok bool) {
	v, ok := readFields(s, idx, []string{"X", "Y", "Z", "W"}, []float64{0, 0, 0, 1})
	if !ok {
		return 0, 0, 0, 0, false
	}
	return v[0], v[1], v[2], v[3], true
}

// ToColor reads a Color (a missing A is 1: opaque).
func ToColor(s *lua.State, idx int) (r, g, b, a float64, ok bool) {
	v, ok := readFields(s, idx, []string{"R", "G", "B", "A"}, []float64{0, 0, 0, 1})
	if !ok {
		return 0, 0, 0, 0, false
	}
	return v[0], v[1], v[2], v[3], true
}
