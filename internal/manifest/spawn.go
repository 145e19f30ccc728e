package manifest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Vector is a nanos world Vector (Unreal units).
type Vector struct{ X, Y, Z float64 }

// Rotator is a nanos world Rotator in degrees.
type Rotator struct{ Pitch, Yaw, Roll float64 }

// SpawnPoint is one entry of a map's spawn_points, as returned to Lua by
// Server.GetMapSpawnPoints().
type SpawnPoint struct {
	Location Vector
	Rotation Rotator
}

// String renders the constructor form the templates use:
// "Vector(-140.000000, -120.000000, 100.000000)".
func (v Vector) String() string {
	return "Vector(" + formatFixed(v.X) + ", " + formatFixed(v.Y) + ", " + formatFixed(v.Z) + ")"
}

// String renders "Rotator(0.000000, -60.000000, 0.000000)".
func (r Rotator) String() string {
	return "Rotator(" + formatFixed(r.Pitch) + ", " + formatFixed(r.Yaw) + ", " + formatFixed(r.Roll) + ")"
}

// ParseVector parses the Lua constructor syntax of a Vector: "Vector(x, y, z)".
// As in Lua, missing arguments follow the constructor defaults: "Vector()" is
// the origin, "Vector(5)" is (5, 5, 5) and "Vector(1, 2)" is (1, 2, 1).
// Spaces, integers and exponents are accepted; the name is case-insensitive.
func ParseVector(s string) (Vector, error) {
	n, err := parseStruct(s, "Vector")
	if err != nil {
		return Vector{}, err
	}
	return Vector{n[0], n[1], n[2]}, nil
}

// ParseRotator parses "Rotator(pitch, yaw, roll)" with the same rules as
// [ParseVector] (missing yaw and roll default to pitch).
func ParseRotator(s string) (Rotator, error) {
	n, err := parseStruct(s, "Rotator")
	if err != nil {
		return Rotator{}, err
	}
	return Rotator{n[0], n[1], n[2]}, nil
}

// ParseSpawnPoint parses one spawn point given as its two strings; an empty
// rotation means Rotator().
func ParseSpawnPoint(location, rotation string) (SpawnPoint, error) {
	loc, err := ParseVector(location)
	if err != nil {
		return SpawnPoint{}, err
	}
	var rot Rotator
	if strings.TrimSpace(rotation) != "" {
		if rot, err = ParseRotator(rotation); err != nil {
			return SpawnPoint{}, err
		}
	}
	return SpawnPoint{Location: loc, Rotation: rot}, nil
}

func parseStruct(s, name string) ([3]float64, error) {
	var out [3]float64
	t := strings.TrimSpace(s)
	if len(t) < len(name) || !strings.EqualFold(t[:len(name)], name) {
		return out, fmt.Errorf("%q is not a %s: expected %s(x, y, z)", s, name, name)
	}
	t = strings.TrimSpace(t[len(name):])
	if !strings.HasPrefix(t, "(") || !strings.HasSuffix(t, ")") {
		return out, fmt.Errorf("%q: expected %s(x, y, z) with parentheses", s, name)
	}
	body := strings.TrimSpace(t[1 : len(t)-1])
	if body == "" {
		return out, nil
	}
	args := strings.Split(body, ",")
	if len(args) > 3 {
		return out, fmt.Errorf("%q: %s takes at most 3 numbers, got %d", s, name, len(args))
	}
	for i, a := range args {
		a = strings.TrimSpace(a)
		f, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(a, "_xXpP") {
			return out, fmt.Errorf("%q: argument %d (%q) is not a finite number", s, i+1, a)
		}
		out[i] = f
	}
	// Lua defaults: the second and third arguments default to the first.
	for i := len(args); i < 3; i++ {
		out[i] = out[0]
	}
	return out, nil
}

// formatFixed writes a float with six decimals as the official server does,
// falling back to the shortest exact form when six decimals would lose
// precision.
func formatFixed(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	if back, err := strconv.ParseFloat(s, 64); err == nil && back == f {
		return s
	}
	s = strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") { // keep it a float literal in TOML and Lua
		s += ".0"
	}
	return s
}
