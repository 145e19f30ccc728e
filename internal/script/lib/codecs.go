package lib

import (
	"errors"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// registerJSON defines JSON.stringify and JSON.parse.
func (l *Libs) registerJSON(s *lua.State) error {
	cls, err := newClass(s, "JSON")
	if err != nil {
		return err
	}
	setStatic(s, cls, "stringify", func(s *lua.State) (int, error) {
		v, err := toValue(s, 1, "JSON.stringify")
		if err != nil {
			return 0, err
		}
		out, err := EncodeJSON(v)
		if err != nil {
			return 0, err
		}
		s.PushString(out)
		return 1, nil
	})
	setStatic(s, cls, "parse", func(s *lua.State) (int, error) {
		str, err := argString(s, 1, "", false)
		if err != nil {
			return 0, err
		}
		v, err := ParseJSON(str)
		if err != nil {
			return 0, err
		}
		pushValue(s, v)
		return 1, nil
	})
	s.Pop(1)
	return nil
}

// registerTOML defines TOML.Dump and TOML.Parse (and the lowercase
// stringify/parse spellings, matching JSON).
func (l *Libs) registerTOML(s *lua.State) error {
	cls, err := newClass(s, "TOML")
	if err != nil {
		return err
	}
	dump := func(s *lua.State) (int, error) {
		if s.Type(1) != lua.TypeTable {
			return 0, &lua.ArgError{Arg: 1, Msg: "table expected, got " + typeName(s, 1)}
		}
		v, err := toValue(s, 1, "TOML.Dump")
		if err != nil {
			return 0, err
		}
		out, err := EncodeTOML(v)
		if err != nil {
			return 0, err
		}
		s.PushString(out)
		return 1, nil
	}
	parse := func(s *lua.State) (int, error) {
		str, err := argString(s, 1, "", false)
		if err != nil {
			return 0, err
		}
		v, err := ParseTOML(str)
		if err != nil {
			return 0, err
		}
		if v == nil {
			return 0, errors.New("TOML.Parse: empty result")
		}
		pushValue(s, v)
		return 1, nil
	}
	setStatic(s, cls, "Dump", dump)
	setStatic(s, cls, "Parse", parse)
	setStatic(s, cls, "stringify", dump)
	setStatic(s, cls, "parse", parse)
	s.Pop(1)
	return nil
}
