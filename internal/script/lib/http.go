package lib

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// registerHTTP defines HTTP.Request, HTTP.RequestAsync and the timeouts.
func (l *Libs) registerHTTP(s *lua.State) error {
	cls, err := newClass(s, "HTTP")
	if err != nil {
		return err
	}
	setStatic(s, cls, "Request", l.httpRequest)
	setStatic(s, cls, "RequestAsync", l.httpRequestAsync)
	setStatic(s, cls, "RequestSync", func(s *lua.State) (int, error) {
		l.host.Deprecated(s, "HTTP.RequestSync (use HTTP.Request)")
		return l.httpRequest(s)
	})
	setStatic(s, cls, "SetConnectionTimeout", func(s *lua.State) (int, error) {
		n, err := argInt(s, 1, 0)
		if err != nil {
			return 0, err
		}
		l.http.SetConnectionTimeout(time.Duration(n) * time.Second)
		return 0, nil
	})
	setStatic(s, cls, "SetReadWriteTimeout", func(s *lua.State) (int, error) {
		n, err := argInt(s, 1, 0)
		if err != nil {
			return 0, err
		}
		l.http.SetReadWriteTimeout(time.Duration(n) * time.Second)
		return 0, nil
	})
	s.Pop(1)
	return nil
}

// httpArgs reads (uri, endpoint, method, data, content_type, compress,
// headers) from arguments 1..7.
func httpArgs(s *lua.State) (HTTPRequest, error) {
	var r HTTPRequest
	var err error
	if r.URI, err = argString(s, 1, "", false); err != nil {
		return r, err
	}
	if r.Endpoint, err = argString(s, 2, "", true); err != nil {
		return r, err
	}
	switch s.Type(3) {
	case lua.TypeNone, lua.TypeNil:
		r.Method = "GET"
	case lua.TypeNumber:
		n, _ := s.ToInteger(3)
		if n < 0 || int(n) >= len(HTTPMethods) {
			return r, &lua.ArgError{Arg: 3, Msg: fmt.Sprintf("unknown HTTPMethod %d: use HTTPMethod.GET, POST, PUT, HEAD, DELETE, PATCH or OPTIONS", n)}
		}
		r.Method = HTTPMethods[n]
	case lua.TypeString:
		m, _ := s.ToString(3)
		m = strings.ToUpper(m)
		known := false
		for _, k := range HTTPMethods {
			known = known || k == m
		}
		if !known {
			return r, &lua.ArgError{Arg: 3, Msg: fmt.Sprintf("unknown HTTP method %q: use one of %s", m, strings.Join(HTTPMethods, ", "))}
		}
		r.Method = m
	default:
		return r, &lua.ArgError{Arg: 3, Msg: "HTTPMethod expected, got " + typeName(s, 3)}
	}
	if r.Data, err = argString(s, 4, "", true); err != nil {
		return r, err
	}
	if r.ContentType, err = argString(s, 5, "application/json", true); err != nil {
		return r, err
	}
	r.Compress = argBool(s, 6, false)
	r.Headers = map[string]string{}
	switch s.Type(7) {
	case lua.TypeNone, lua.TypeNil:
	case lua.TypeTable:
		err := s.ForEach(7, func() error {
			k, ok1 := s.ToString(-2)
			v, ok2 := s.ToString(-1)
			if s.Type(-2) != lua.TypeString || !ok1 || !ok2 {
				return &lua.ArgError{Arg: 7, Msg: "headers must map header names to strings"}
			}
			r.Headers[k] = v
			return nil
		})
		if err != nil {
			return r, err
		}
	default:
		return r, &lua.ArgError{Arg: 7, Msg: "table expected, got " + typeName(s, 7)}
	}
	return r, nil
}

// httpRequest is HTTP.Request: synchronous, returns {Status, Data,
// Headers}. Old packages pass a callback as 8th argument to what was then
// the asynchronous form; that still works.
func (l *Libs) httpRequest(s *lua.State) (int, error) {
	if s.Type(8) == lua.TypeFunction {
		l.host.Deprecated(s, "HTTP.Request with a callback (use HTTP.RequestAsync)")
		return l.httpRequestAsync(s)
	}
	r, err := httpArgs(s)
	if err != nil {
		return 0, err
	}
	var resp HTTPResponse
	l.blocking(s, func() { resp = l.http.Do(context.Background(), r) })
	if resp.Err != nil {
		l.log.Warn(resp.Err.Error())
	}
	s.CreateTable(0, 3)
	s.PushInteger(int64(resp.Status))
	s.RawSetField(-2, "Status")
	s.PushString(resp.Data)
	s.RawSetField(-2, "Data")
	pushValue(s, resp.Headers)
	s.RawSetField(-2, "Headers")
	return 1, nil
}

// httpRequestAsync is HTTP.RequestAsync: the callback gets (status, data,
// headers) on a later tick.
func (l *Libs) httpRequestAsync(s *lua.State) (int, error) {
	r, err := httpArgs(s)
	if err != nil {
		return 0, err
	}
	ref, err := l.refCallback(s, 8)
	if err != nil {
		return 0, err
	}
	err = l.http.Go(r, func(resp HTTPResponse) {
		if resp.Err != nil {
			l.log.Warn(resp.Err.Error())
		}
		l.callback(ref, func(s *lua.State) int {
			s.PushInteger(int64(resp.Status))
			s.PushString(resp.Data)
			pushValue(s, resp.Headers)
			return 3
		})
	})
	if err != nil {
		ref.release(s)
		return 0, err
	}
	return 0, nil
}
