package lua

// Argument checks for Go functions, with the messages of Lua's own luaL_check* functions.
// They return an *ArgError for the Go function to return; the C side turns it into
// "bad argument #n to 'name' (...)".

// typeError returns the "<want> expected, got <actual>" argument error for arg.
func (s *State) typeError(arg int, want string) error {
	got := "no value"
	if t := s.Type(arg); t != TypeNone {
		got = s.TypeName(t)
	}
	return &ArgError{Arg: arg, Msg: want + " expected, got " + got}
}

// CheckInteger returns argument arg as an integer, like luaL_checkinteger.
func (s *State) CheckInteger(arg int) (int64, error) {
	if n, ok := s.ToInteger(arg); ok {
		return n, nil
	}
	if s.IsNumber(arg) {
		return 0, &ArgError{Arg: arg, Msg: "number has no integer representation"}
	}
	return 0, s.typeError(arg, "number")
}

// CheckNumber returns argument arg as a float, like luaL_checknumber.
func (s *State) CheckNumber(arg int) (float64, error) {
	if f, ok := s.ToNumber(arg); ok {
		return f, nil
	}
	return 0, s.typeError(arg, "number")
}

// CheckString returns argument arg as a string (numbers are converted), like
// luaL_checkstring.
func (s *State) CheckString(arg int) (string, error) {
	if str, ok := s.ToString(arg); ok {
		return str, nil
	}
	return "", s.typeError(arg, "string")
}

// CheckType returns an error unless argument arg has type t.
func (s *State) CheckType(arg int, t Type) error {
	if s.Type(arg) != t {
		return s.typeError(arg, t.String())
	}
	return nil
}

// CheckAny returns an error when argument arg is absent (nil is accepted).
func (s *State) CheckAny(arg int) error {
	if s.Type(arg) == TypeNone {
		return &ArgError{Arg: arg, Msg: "value expected"}
	}
	return nil
}

// OptInteger is CheckInteger with def for an absent or nil argument.
func (s *State) OptInteger(arg int, def int64) (int64, error) {
	if s.IsNoneOrNil(arg) {
		return def, nil
	}
	return s.CheckInteger(arg)
}

// OptNumber is CheckNumber with def for an absent or nil argument.
func (s *State) OptNumber(arg int, def float64) (float64, error) {
	if s.IsNoneOrNil(arg) {
		return def, nil
	}
	return s.CheckNumber(arg)
}

// OptString is CheckString with def for an absent or nil argument.
func (s *State) OptString(arg int, def string) (string, error) {
	if s.IsNoneOrNil(arg) {
		return def, nil
	}
	return s.CheckString(arg)
}

// OptBoolean returns argument arg as a boolean (Lua truthiness), or def when absent or nil.
func (s *State) OptBoolean(arg int, def bool) bool {
	if s.IsNoneOrNil(arg) {
		return def
	}
	return s.ToBoolean(arg)
}
