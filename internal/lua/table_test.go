package lua

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestTables(t *testing.T) {
	s := newState(t, Options{})
	s.CreateTable(2, 2)
	s.PushString("v")
	s.RawSetField(1, "k")
	s.PushInteger(10)
	s.RawSetI(1, 1)
	s.PushString("key")
	s.PushNumber(1.5)
	if err := s.RawSet(1); err != nil {
		t.Fatal(err)
	}
	if s.RawGetField(1, "k") != TypeString {
		t.Fatal("RawGetField(k)")
	}
	if str, _ := s.ToString(-1); str != "v" {
		t.Fatalf("k = %q", str)
	}
	s.Pop(1)
	if s.RawGetI(1, 1) != TypeNumber || s.RawGetI(1, 2) != TypeNil {
		t.Fatal("RawGetI")
	}
	s.Pop(2)
	s.PushString("key")
	if s.RawGet(1) != TypeNumber {
		t.Fatal("RawGet")
	}
	s.Pop(1)
	if s.RawLen(1) != 1 {
		t.Fatalf("RawLen = %d", s.RawLen(1))
	}
	// Bad keys are refused, not raised.
	s.PushNil()
	s.PushInteger(1)
	if err := s.RawSet(1); !errors.Is(err, ErrBadKey) {
		t.Fatalf("RawSet(nil key) = %v", err)
	}
	s.PushNumber(math.NaN())
	s.PushInteger(1)
	if err := s.RawSet(1); !errors.Is(err, ErrBadKey) {
		t.Fatalf("RawSet(NaN key) = %v", err)
	}
	if s.Top() != 1 {
		t.Fatalf("top = %d after refused RawSet", s.Top())
	}
	// Protected access with metamethods.
	s.PushInteger(7)
	if err := s.SetField(1, "seven"); err != nil {
		t.Fatal(err)
	}
	if typ, err := s.GetField(1, "seven"); err != nil || typ != TypeNumber {
		t.Fatalf("GetField = %v, %v", typ, err)
	}
	s.Pop(1)
	s.PushString("x")
	s.PushBoolean(true)
	if err := s.SetTable(1); err != nil {
		t.Fatal(err)
	}
	s.PushString("x")
	if typ, err := s.GetTable(1); err != nil || typ != TypeBoolean {
		t.Fatalf("GetTable = %v, %v", typ, err)
	}
	s.Pop(1)
	s.PushString("two")
	if err := s.SetI(1, 2); err != nil {
		t.Fatal(err)
	}
	if typ, err := s.GetI(1, 2); err != nil || typ != TypeString {
		t.Fatalf("GetI = %v, %v", typ, err)
	}
	s.Pop(1)
	if n, err := s.Len(1); err != nil || n != 2 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	// Next and ForEach see every pair.
	seen := map[string]bool{}
	err := s.ForEach(1, func() error {
		k, _ := s.Stringify(-2)
		seen[k] = true
		return nil
	})
	if err != nil || len(seen) != 6 || !seen["seven"] || !seen["1"] || !seen["x"] {
		t.Fatalf("ForEach saw %v, %v", seen, err)
	}
	stop := errors.New("stop")
	count := 0
	if err := s.ForEach(1, func() error { count++; return stop }); err != stop || count != 1 || s.Top() != 1 {
		t.Fatalf("ForEach stop: %v count %d top %d", err, count, s.Top())
	}
	// Next with a key the table never had is an error, not a crash.
	s.PushString("never there")
	if _, err := s.Next(1); err == nil || !strings.Contains(err.Error(), "invalid key to 'next'") {
		t.Fatalf("Next(bad key) = %v", err)
	}
	if s.Top() != 1 {
		t.Fatalf("top %d after failed Next", s.Top())
	}
}

func TestTableMetamethodErrors(t *testing.T) {
	s := newState(t, Options{})
	run(t, s, `
		Strict = setmetatable({}, {
			__index = function(_, k) error("no field " .. k) end,
			__newindex = function(_, k) error("read-only " .. k) end,
			__len = function() return "long" end})
		Proxy = setmetatable({}, {__index = function(_, k) return k .. "!" end, __len = function() return 42 end})`)
	s.GetGlobal("Strict")
	s.GetGlobal("Proxy")
	cases := []struct {
		name string
		op   func() error
		want string
	}{
		{"GetField", func() error { _, err := s.GetField(1, "hp"); return err }, "no field hp"},
		{"SetField", func() error { s.PushInteger(1); return s.SetField(1, "hp") }, "read-only hp"},
		{"GetI", func() error { _, err := s.GetI(1, 3); return err }, "no field 3"},
		{"SetI", func() error { s.PushInteger(1); return s.SetI(1, 3) }, "read-only 3"},
		{"GetTable", func() error { s.PushString("k"); _, err := s.GetTable(1); return err }, "no field k"},
		{"SetTable", func() error { s.PushString("k"); s.PushInteger(1); return s.SetTable(1) }, "read-only k"},
		{"Len", func() error { _, err := s.Len(1); return err }, "length is not an integer"},
		{"GetField on nil", func() error { s.PushNil(); defer s.Pop(1); _, err := s.GetField(-1, "x"); return err }, "attempt to index a nil value"},
	}
	for _, c := range cases {
		err := c.op()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
		if s.Top() != 2 {
			t.Fatalf("%s: top %d, want 2", c.name, s.Top())
		}
	}
	if typ, err := s.GetField(2, "hp"); err != nil || typ != TypeString {
		t.Fatalf("Proxy.hp: %v %v", typ, err)
	}
	if str, _ := s.ToString(-1); str != "hp!" {
		t.Errorf("Proxy.hp = %q", str)
	}
	s.Pop(1)
	if n, err := s.Len(2); err != nil || n != 42 {
		t.Errorf("#Proxy = %d, %v", n, err)
	}
	if s.RawGetField(2, "hp") != TypeNil {
		t.Error("RawGetField should bypass __index")
	}
	s.Pop(1)
}

func TestMetatablesAndUserdata(t *testing.T) {
	s := newState(t, Options{})
	if !s.NewMetatable("Vec") {
		t.Fatal("NewMetatable should create")
	}
	s.Pop(1)
	if s.NewMetatable("Vec") {
		t.Fatal("NewMetatable should find the existing one")
	}
	s.Pop(1)
	if s.GetNamedMetatable("Vec") != TypeTable || s.GetNamedMetatable("Nope") != TypeNil {
		t.Fatal("GetNamedMetatable")
	}
	s.Pop(2)
	p := s.NewUserdata(16, 1)
	if p == nil {
		t.Fatal("NewUserdata returned nil")
	}
	b := (*[16]byte)(p)
	b[0], b[15] = 1, 2
	s.GetNamedMetatable("Vec")
	s.SetMetatable(-2)
	if s.TestUserdata(-1, "Vec") != p || s.TestUserdata(-1, "Other") != nil {
		t.Fatal("TestUserdata")
	}
	if s.ToUserdata(-1) != p || s.RawLen(-1) != 16 {
		t.Fatal("ToUserdata/RawLen")
	}
	if !s.GetMetatable(-1) {
		t.Fatal("GetMetatable")
	}
	s.Pop(1)
	s.PushString("attached")
	if !s.SetIUserValue(-2, 1) {
		t.Fatal("SetIUserValue(1)")
	}
	s.PushString("x")
	if s.SetIUserValue(-2, 2) {
		t.Fatal("SetIUserValue(2) should fail: one user value")
	}
	if s.GetIUserValue(-1, 1) != TypeString {
		t.Fatal("GetIUserValue")
	}
	s.Pop(1)
	if s.GetIUserValue(-1, 2) != TypeNone {
		t.Fatal("GetIUserValue(2) should be none")
	}
	s.Pop(2)
	s.PushInteger(1)
	if s.GetMetatable(-1) {
		t.Fatal("numbers have no metatable")
	}
}

type entity struct{ name string }

func TestGoValues(t *testing.T) {
	s := newState(t, Options{})
	if !s.NewGoMetatable("Entity") {
		t.Fatal("NewGoMetatable should create")
	}
	s.PushGoFunction(func(s *State) (int, error) {
		v, ok := s.ToGoValue(1)
		if !ok {
			return 0, &ArgError{Arg: 1, Msg: "Entity expected"}
		}
		s.PushString(v.(*entity).name)
		return 1, nil
	})
	s.SetField(-2, "GetName")
	s.PushValue(-1)
	s.SetField(-2, "__index")
	s.Pop(1)
	e := &entity{name: "Bob"}
	if !s.PushGoValue(e, "Entity") {
		t.Fatal("PushGoValue with a registered metatable")
	}
	s.SetGlobal("bob")
	if got := run(t, s, "return bob:GetName(), tostring(bob):match('^Entity')"); got[0] != "Bob" || got[1] != "Entity" {
		t.Fatalf("bob:GetName() = %v", got)
	}
	if s.PushGoValue(1, "Unregistered") {
		t.Fatal("PushGoValue with an unknown metatable should report false")
	}
	if v, ok := s.ToGoValue(-1); !ok || v != 1 {
		t.Fatalf("ToGoValue = %v %v", v, ok)
	}
	s.Pop(1)
	// A userdata of the same size that is not ours is rejected.
	s.NewUserdata(8, 0)
	if _, ok := s.ToGoValue(-1); ok {
		t.Fatal("foreign userdata accepted as a Go value")
	}
	s.Pop(1)
	// Collected values are released and their slots reused.
	s.PushNil()
	s.SetGlobal("bob")
	s.GC()
	s.GC()
	live := 0
	for _, v := range s.vm.values {
		if v != nil {
			live++
		}
	}
	if live != 0 {
		t.Fatalf("%d Go values still held after collection", live)
	}
	s.PushGoValue("again", "")
	if len(s.vm.values) != 3 {
		t.Fatalf("slots not reused: %d", len(s.vm.values))
	}
	s.Pop(1)
	// Methods called with something else get a proper argument error.
	s.PushGoValue(&entity{name: "Al"}, "Entity")
	s.SetGlobal("al")
	err := s.DoString("local f = al.GetName; f({})", "m.lua")
	if err == nil || !strings.Contains(err.Error(), "bad argument #1 to 'f' (Entity expected)") {
		t.Fatalf("GetName({}) = %v", err)
	}
}
