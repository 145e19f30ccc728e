package lib

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/nanoforge/nanoforge/internal/lua"
)

const fileMeta = "nanoforge.File"

// fileObject is the Lua-side File.
type fileObject struct {
	h *FileHandle
}

// registerFile defines the File class: File(path, truncate), its methods
// and its static functions.
func (l *Libs) registerFile(s *lua.State) error {
	cls, err := newClass(s, "File")
	if err != nil {
		return err
	}
	s.CreateTable(0, 1)
	s.PushStaticGoFunction(l.newFile)
	s.RawSetField(-2, "__call")
	s.SetMetatable(cls)

	root := func() string { return l.host.ServerDir() }
	// confined resolves path or raises an error naming it.
	confined := func(s *lua.State, i int, what string) (string, error) {
		p, err := argString(s, i, "", false)
		if err != nil {
			return "", err
		}
		if _, err := ConfinePath(root(), p); err != nil {
			return "", fmt.Errorf("File.%s: %w", what, err)
		}
		return p, nil
	}
	setStatic(s, cls, "Time", func(s *lua.State) (int, error) {
		p, err := confined(s, 1, "Time")
		if err != nil {
			return 0, err
		}
		t, err := FileTime(root(), p)
		if err != nil {
			t = 0
		}
		s.PushInteger(t)
		return 1, nil
	})
	setStatic(s, cls, "CreateDirectory", func(s *lua.State) (int, error) {
		p, err := confined(s, 1, "CreateDirectory")
		if err != nil {
			return 0, err
		}
		err = CreateDirectory(root(), p)
		if err != nil {
			l.log.Warn(fmt.Sprintf("File.CreateDirectory(%q): %v", p, err))
		}
		s.PushBoolean(err == nil)
		return 1, nil
	})
	setStatic(s, cls, "Remove", func(s *lua.State) (int, error) {
		p, err := confined(s, 1, "Remove")
		if err != nil {
			return 0, err
		}
		n, err := RemovePath(root(), p)
		if err != nil {
			return 0, fmt.Errorf("File.Remove: %w", err)
		}
		s.PushInteger(int64(n))
		return 1, nil
	})
	setStatic(s, cls, "Rename", func(s *lua.State) (int, error) {
		a, err := confined(s, 1, "Rename")
		if err != nil {
			return 0, err
		}
		b, err := confined(s, 2, "Rename")
		if err != nil {
			return 0, err
		}
		err = RenamePath(root(), a, b)
		if err != nil {
			l.log.Warn(fmt.Sprintf("File.Rename(%q, %q): %v", a, b, err))
		}
		s.PushBoolean(err == nil)
		return 1, nil
	})
	stat := func(name string, pick func(exists, dir, regular bool) bool) {
		setStatic(s, cls, name, func(s *lua.State) (int, error) {
			p, err := confined(s, 1, name)
			if err != nil {
				return 0, err
			}
			ex, dir, reg, _ := StatPath(root(), p)
			s.PushBoolean(pick(ex, dir, reg))
			return 1, nil
		})
	}
	stat("Exists", func(ex, _, _ bool) bool { return ex })
	stat("IsDirectory", func(_, dir, _ bool) bool { return dir })
	stat("IsRegularFile", func(_, _, reg bool) bool { return reg })
	setStatic(s, cls, "GetDirectories", func(s *lua.State) (int, error) {
		base, err := argString(s, 1, "", true)
		if err != nil {
			return 0, err
		}
		depth, err := argInt(s, 2, -1)
		if err != nil {
			return 0, err
		}
		list, err := ListPaths(root(), base, true, "", int(depth))
		if err != nil {
			return 0, fmt.Errorf("File.GetDirectories: %w", err)
		}
		pushValue(s, list)
		return 1, nil
	})
	setStatic(s, cls, "GetFiles", func(s *lua.State) (int, error) {
		var bases []string
		switch s.Type(1) {
		case lua.TypeNone, lua.TypeNil:
			bases = []string{""}
		case lua.TypeTable:
			n := s.RawLen(1)
			for i := 1; i <= n; i++ {
				s.RawGetI(1, int64(i))
				b, ok := s.ToString(-1)
				s.Pop(1)
				if !ok {
					return 0, &lua.ArgError{Arg: 1, Msg: fmt.Sprintf("path_filter[%d] is not a string", i)}
				}
				bases = append(bases, b)
			}
		default:
			b, err := argString(s, 1, "", true)
			if err != nil {
				return 0, err
			}
			bases = []string{b}
		}
		ext, err := argString(s, 2, "", true)
		if err != nil {
			return 0, err
		}
		depth, err := argInt(s, 3, -1)
		if err != nil {
			return 0, err
		}
		var all []string
		for _, b := range bases {
			list, err := ListPaths(root(), b, false, ext, int(depth))
			if err != nil {
				return 0, fmt.Errorf("File.GetFiles: %w", err)
			}
			all = append(all, list...)
		}
		if all == nil {
			all = []string{}
		}
		pushValue(s, all)
		return 1, nil
	})
	setStatic(s, cls, "GetFullPath", func(s *lua.State) (int, error) {
		p, err := confined(s, 1, "GetFullPath")
		if err != nil {
			return 0, err
		}
		full, _ := ConfinePath(root(), p)
		s.PushString(filepath.ToSlash(full))
		return 1, nil
	})

	s.NewGoMetatable(fileMeta)
	s.CreateTable(0, 20)
	methods := map[string]func(*lua.State, *fileObject) (int, error){
		"Close": func(s *lua.State, f *fileObject) (int, error) {
			l.untrackFile(f)
			_ = f.h.Close()
			return 0, nil
		},
		"Flush":     func(s *lua.State, f *fileObject) (int, error) { f.h.Flush(); return 0, nil },
		"IsEOF":     boolMethod((*FileHandle).IsEOF),
		"IsBad":     boolMethod((*FileHandle).IsBad),
		"IsGood":    boolMethod((*FileHandle).IsGood),
		"HasFailed": boolMethod((*FileHandle).HasFailed),
		"Read": func(s *lua.State, f *fileObject) (int, error) {
			n, err := argInt(s, 2, 0)
			if err != nil {
				return 0, err
			}
			s.PushString(f.h.Read(n))
			return 1, nil
		},
		"ReadLine": func(s *lua.State, f *fileObject) (int, error) {
			s.PushString(f.h.ReadLine())
			return 1, nil
		},
		"ReadJSON": func(s *lua.State, f *fileObject) (int, error) {
			v, err := ParseJSON(f.h.Read(0))
			if err != nil {
				return 0, fmt.Errorf("File:ReadJSON(%q): %w", f.h.Path, err)
			}
			pushValue(s, v)
			return 1, nil
		},
		"ReadAsync": func(s *lua.State, f *fileObject) (int, error) {
			n, err := argInt(s, 2, 0)
			if err != nil {
				return 0, err
			}
			return l.fileReadAsync(s, f, 3, n, false)
		},
		"ReadJSONAsync": func(s *lua.State, f *fileObject) (int, error) {
			return l.fileReadAsync(s, f, 2, 0, true)
		},
		"Seek": func(s *lua.State, f *fileObject) (int, error) {
			n, err := argInt(s, 2, 0)
			if err != nil {
				return 0, err
			}
			f.h.SeekTo(n)
			return 0, nil
		},
		"Skip": func(s *lua.State, f *fileObject) (int, error) {
			n, err := argInt(s, 2, 0)
			if err != nil {
				return 0, err
			}
			f.h.Skip(n)
			return 0, nil
		},
		"Tell": func(s *lua.State, f *fileObject) (int, error) { s.PushInteger(f.h.Tell()); return 1, nil },
		"Size": func(s *lua.State, f *fileObject) (int, error) { s.PushInteger(f.h.Size()); return 1, nil },
		"Write": func(s *lua.State, f *fileObject) (int, error) {
			data, err := argString(s, 2, "", false)
			if err != nil {
				return 0, err
			}
			f.h.Write(data)
			return 0, nil
		},
	}
	for name, fn := range methods {
		s.PushStaticGoFunction(fileMethod(name, fn))
		s.RawSetField(-2, name)
	}
	s.RawSetField(-2, "__index")
	s.PushStaticGoFunction(func(s *lua.State) (int, error) {
		v, _ := s.ToGoValue(1)
		if f, ok := v.(*fileObject); ok {
			s.PushString(fmt.Sprintf("File(%q)", f.h.Path))
			return 1, nil
		}
		s.PushString("File")
		return 1, nil
	})
	s.RawSetField(-2, "__tostring")
	s.Pop(2)
	return nil
}

func boolMethod(m func(*FileHandle) bool) func(*lua.State, *fileObject) (int, error) {
	return func(s *lua.State, f *fileObject) (int, error) {
		s.PushBoolean(m(f.h))
		return 1, nil
	}
}

func fileMethod(name string, fn func(*lua.State, *fileObject) (int, error)) lua.GoFunction {
	return func(s *lua.State) (int, error) {
		v, _ := s.ToGoValue(1)
		f, ok := v.(*fileObject)
		if !ok {
			return 0, fmt.Errorf("File:%s: call it with ':' on a File (got %s as self)", name, typeName(s, 1))
		}
		return fn(s, f)
	}
}

// newFile is File(path, truncate). A path outside the server folder is
// an error; a file that cannot be opened gives a File whose IsBad() is
// true, with a warning logged.
func (l *Libs) newFile(s *lua.State) (int, error) {
	p, err := argString(s, 2, "", false)
	if err != nil {
		return 0, &lua.ArgError{Arg: 1, Msg: "file path expected, got " + typeName(s, 2)}
	}
	if _, err := ConfinePath(l.host.ServerDir(), p); err != nil {
		return 0, fmt.Errorf("File: %w", err)
	}
	h := OpenFile(l.host.ServerDir(), p, argBool(s, 3, false))
	if h.Err() != nil {
		l.log.Warn(h.Err().Error())
	}
	f := &fileObject{h: h}
	if !h.IsBad() {
		l.trackFile(f)
	}
	s.PushGoValue(f, fileMeta)
	return 1, nil
}

// fileReadAsync reads on a worker: length bytes from the current position
// (0: the whole file) and moves the position when the callback runs.
func (l *Libs) fileReadAsync(s *lua.State, f *fileObject, cbIdx int, length int64, asJSON bool) (int, error) {
	ref, err := l.refCallback(s, cbIdx)
	if err != nil {
		return 0, err
	}
	osf := f.h.f
	if osf == nil {
		ref.release(s)
		return 0, fmt.Errorf("File: %q is closed", f.h.Path)
	}
	start := f.h.pos
	if length <= 0 {
		start = 0
	}
	err = l.goAsync(func() {
		var data []byte
		var rerr error
		if length > 0 {
			size := int64(0)
			if st, err := osf.Stat(); err == nil {
				size = st.Size()
			}
			buf := make([]byte, max(min(length, size-start), 0))
			n, err := osf.ReadAt(buf, start)
			data = buf[:n]
			if err != nil && err != io.EOF {
				rerr = err
			}
		} else {
			data, rerr = io.ReadAll(io.NewSectionReader(osf, 0, 1<<62))
		}
		var parsed any
		if rerr == nil && asJSON {
			parsed, rerr = ParseJSON(string(data))
		}
		if rerr != nil {
			l.log.Warn(fmt.Sprintf("File: reading %q: %v", f.h.Path, rerr))
		}
		l.callback(ref, func(s *lua.State) int {
			if f.h.f != nil {
				f.h.pos = start + int64(len(data))
				f.h.eof = length <= 0 || int64(len(data)) < length
			}
			if asJSON {
				pushValue(s, parsed)
			} else {
				s.PushString(string(data))
			}
			return 1
		})
	})
	if err != nil {
		ref.release(s)
		return 0, err
	}
	return 0, nil
}
