package manifest

import (
	"fmt"
	"strconv"
	"strings"
)

// CompatVersion is a compatibility_version: the game version (major.minor) a
// package was written for. Breaking changes introduced in version V apply to
// a package only when its compatibility version is >= V. The zero value means
// "not declared"; see [CompatVersion.IsZero].
type CompatVersion struct {
	Major, Minor int
}

// DefaultCompatVersion is the value the official templates write for new
// packages.
var DefaultCompatVersion = CompatVersion{Major: 1, Minor: 25}

// NewestCompatVersion is the newest game version whose breaking changes
// (nanos-spec §4.8) Nanoforge knows. Packages created by the CLI declare it,
// so new code gets the current behaviour rather than compatibility mode.
var NewestCompatVersion = CompatVersion{Major: 1, Minor: 144}

// ParseCompatVersion parses "major.minor" ("1.25", "1.100"). Components are
// decimal integers compared numerically, so "1.100" is newer than "1.99".
func ParseCompatVersion(s string) (CompatVersion, error) {
	t := strings.TrimSpace(s)
	maj, min, ok := strings.Cut(t, ".")
	if !ok {
		return CompatVersion{}, fmt.Errorf("compatibility version %q: expected major.minor such as \"1.25\"", s)
	}
	a, errA := parseComponent(maj)
	b, errB := parseComponent(min)
	if errA != nil || errB != nil {
		return CompatVersion{}, fmt.Errorf("compatibility version %q: expected major.minor with two non-negative integers such as \"1.25\"", s)
	}
	return CompatVersion{Major: a, Minor: b}, nil
}

// parseComponent accepts only plain digits (no sign, no spaces) and keeps the
// value small enough that comparisons never overflow.
func parseComponent(s string) (int, error) {
	if s == "" || len(s) > 9 {
		return 0, fmt.Errorf("bad component %q", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad component %q", s)
		}
	}
	return strconv.Atoi(s)
}

// MustCompatVersion is ParseCompatVersion for constants known to be valid; it
// panics on a malformed string.
func MustCompatVersion(s string) CompatVersion {
	v, err := ParseCompatVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b.
func (a CompatVersion) Compare(b CompatVersion) int {
	switch {
	case a.Major != b.Major:
		return cmpInt(a.Major, b.Major)
	default:
		return cmpInt(a.Minor, b.Minor)
	}
}

// AtLeast reports whether a >= b: whether a package declaring a gets the
// behaviour introduced in b.
func (a CompatVersion) AtLeast(b CompatVersion) bool { return a.Compare(b) >= 0 }

// IsZero reports whether the version was not declared.
func (a CompatVersion) IsZero() bool { return a == CompatVersion{} }

// String renders "major.minor", or "" for the zero value.
func (a CompatVersion) String() string {
	if a.IsZero() {
		return ""
	}
	return strconv.Itoa(a.Major) + "." + strconv.Itoa(a.Minor)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
