package lib

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"weak"

	"github.com/nanoforge/nanoforge/internal/lua"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// Host is what the libraries need from the scripting host.
type Host interface {
	// ServerDir is the server folder: File paths and SQLite databases are
	// confined to it.
	ServerDir() string
	// Post hands fn to the tick goroutine, which runs it with the Lua state
	// during its next tick (draining a Queue is the simplest way). It is
	// called from worker goroutines. An error fn returns is a script error
	// from an asynchronous callback: log it like any callback error.
	// Functions posted after the state was closed or reset must be dropped.
	Post(fn func(s *lua.State) error)
	// Logger receives the libraries' warnings (a failed query, a request
	// that got no response).
	Logger() *slog.Logger
	// Deprecated reports that the script running on s used a legacy name
	// (what, optionally ending in " (use NEW)"). It runs on the tick
	// goroutine inside the Go function the script called, so the host can
	// find the caller's package and file:line on s; it may log once per
	// package and name.
	Deprecated(s *lua.State, what string)
	// AssetPacks lists the loaded asset packs, for the Assets class.
	AssetPacks() []AssetPack
}

// BlockingHost is an optional extension of Host. Blocking runs fn, the
// wait of a synchronous call (HTTP.Request, Database:Select, connecting a
// Database), so the host can keep that wait out of the calling script's
// time budget. Without it the wait counts against the budget.
type BlockingHost interface {
	Blocking(s *lua.State, fn func())
}

// OwnerHost is an optional extension of Host that ties asynchronous
// callbacks (HTTP.RequestAsync, Database:ExecuteAsync and SelectAsync,
// File:ReadAsync and ReadJSONAsync) to whoever started the work. AsyncOwner
// runs on the tick goroutine when the work starts, from the Go function the
// script called, and names the running code's owner (typically its
// package; nil when there is none). OwnerAlive runs on the tick goroutine
// right before the callback would run: when it reports false the callback
// is dropped unrun, so work started by a package that was unloaded or
// reloaded meanwhile never calls back into it.
type OwnerHost interface {
	AsyncOwner(s *lua.State) any
	OwnerAlive(s *lua.State, owner any) bool
}

// blocking runs fn through the host's BlockingHost when it has one.
func (l *Libs) blocking(s *lua.State, fn func()) {
	if bh, ok := l.host.(BlockingHost); ok {
		bh.Blocking(s, fn)
		return
	}
	fn()
}

// Libs are the libraries registered in one Lua state. Close them before
// closing the state.
type Libs struct {
	host Host
	log  *slog.Logger
	http *HTTPClient

	mu      sync.Mutex
	closed  bool
	pending sync.WaitGroup // asynchronous database and file work
	dbs     map[*dbObject]struct{}
	// files holds the open Files weakly: a File a script drops without
	// closing is collected by Lua, then by Go, whose finalizer closes it.
	files    map[weak.Pointer[fileObject]]struct{}
	precache []Precached
}

// Register defines the libraries as globals of s: the structs, NanosMath,
// NanosTable, NanosUtils, the string extensions, JSON, TOML, HTTP,
// Database, File and Assets. It must run on the goroutine that owns s,
// before packages load.
func Register(s *lua.State, host Host) (*Libs, error) {
	if host == nil {
		return nil, errors.New("lib.Register: host is nil")
	}
	l := &Libs{
		host:  host,
		log:   host.Logger(),
		http:  NewHTTPClient(),
		dbs:   map[*dbObject]struct{}{},
		files: map[weak.Pointer[fileObject]]struct{}{},
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	top := s.Top()
	defer s.SetTop(top)
	for _, name := range []string{"nanosmath.lua", "structs.lua"} {
		if err := runEmbedded(s, name, 0); err != nil {
			return nil, err
		}
	}
	s.PushStaticGoFunction(func(s *lua.State) (int, error) {
		what, _ := s.ToString(1)
		host.Deprecated(s, what)
		return 0, nil
	})
	if err := runEmbedded(s, "utils.lua", 1); err != nil {
		return nil, err
	}
	if err := saveStructClasses(s); err != nil {
		return nil, err
	}
	for _, reg := range []func(*lua.State) error{l.registerJSON, l.registerTOML, l.registerHTTP, l.registerDatabase, l.registerFile, l.registerAssets} {
		if err := reg(s); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// runEmbedded runs one of the embedded Lua files with the nargs values on
// top of the stack as its arguments.
func runEmbedded(s *lua.State, name string, nargs int) error {
	code, err := luaFiles.ReadFile("lua/" + name)
	if err != nil {
		return fmt.Errorf("lib: embedded %s: %w", name, err)
	}
	if err := s.LoadString(string(code), "=nanoforge/"+name); err != nil {
		return fmt.Errorf("lib: compiling %s: %w", name, err)
	}
	if nargs > 0 {
		s.Insert(-nargs - 1)
	}
	if err := s.CallBudget(nargs, 0, 0); err != nil {
		return fmt.Errorf("lib: running %s: %w", name, err)
	}
	return nil
}

// Close waits for asynchronous work to finish, then closes the open
// databases and files and stops the HTTP workers. Callbacks of work that
// finishes during Close are still posted to the host.
func (l *Libs) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	l.http.Close()
	l.pending.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	for db := range l.dbs {
		if db.db != nil {
			_ = db.db.Close()
			db.db = nil
		}
	}
	for w := range l.files {
		if f := w.Value(); f != nil {
			_ = f.h.Close()
		}
	}
	clear(l.dbs)
	clear(l.files)
}

// Wait blocks until all asynchronous requests, queries and reads started
// so far have finished and posted their callbacks.
func (l *Libs) Wait() {
	l.http.Wait()
	l.pending.Wait()
}

// goAsync runs work on a new goroutine, counted for Wait and Close.
func (l *Libs) goAsync(work func()) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errors.New("the scripting libraries are shutting down")
	}
	l.pending.Add(1)
	l.mu.Unlock()
	go func() {
		defer l.pending.Done()
		work()
	}()
	return nil
}

// asyncCallback is a script's callback waiting for asynchronous work: the
// function in registry slot ref (lua.RefNil: none) and the owner the host
// named when the work started (see OwnerHost).
type asyncCallback struct {
	ref   int
	owner any
}

// release frees the callback's registry slot when the work could not start.
func (cb asyncCallback) release(s *lua.State) {
	if cb.ref != lua.RefNil && cb.ref != lua.NoRef {
		s.Unref(cb.ref)
	}
}

// callback posts a call of cb's function with the values push pushes (it
// returns how many). The slot is released either way. No callback posts
// nothing; a callback whose owner is gone by then is dropped unrun.
func (l *Libs) callback(cb asyncCallback, push func(s *lua.State) int) {
	if cb.ref == lua.RefNil || cb.ref == lua.NoRef {
		return
	}
	l.host.Post(func(s *lua.State) error {
		defer s.Unref(cb.ref)
		if oh, ok := l.host.(OwnerHost); ok && !oh.OwnerAlive(s, cb.owner) {
			return nil
		}
		n := push(s)
		return s.CallRef(cb.ref, n, 0)
	})
}

// refCallback stores the function at idx for a later callback, with its
// owner: lua.RefNil for nil, an ArgError for anything else that is not a
// function.
func (l *Libs) refCallback(s *lua.State, idx int) (asyncCallback, error) {
	switch s.Type(idx) {
	case lua.TypeNone, lua.TypeNil:
		return asyncCallback{ref: lua.RefNil}, nil
	case lua.TypeFunction:
		var owner any
		if oh, ok := l.host.(OwnerHost); ok {
			owner = oh.AsyncOwner(s)
		}
		s.PushValue(idx)
		return asyncCallback{ref: s.Ref(), owner: owner}, nil
	}
	return asyncCallback{}, &lua.ArgError{Arg: idx, Msg: "function expected, got " + typeName(s, idx)}
}

// newClass pushes a new global table name and returns its stack index.
func newClass(s *lua.State, name string) (int, error) {
	s.NewTable()
	s.PushValue(-1)
	if err := s.SetGlobal(name); err != nil {
		return 0, fmt.Errorf("lib: defining %s: %w", name, err)
	}
	return s.AbsIndex(-1), nil
}

// setStatic sets class[name] to fn, called as Class.name(...) or, as old
// packages do, Class:name(...): a first argument that is the class table
// itself is dropped.
func setStatic(s *lua.State, classIdx int, name string, fn lua.GoFunction) {
	// The class is recognised by its address, which Lua never moves, so the function needs
	// no upvalue and can be a static one.
	class := s.ToPointer(classIdx)
	s.PushStaticGoFunction(func(s *lua.State) (int, error) {
		if s.Top() >= 1 && s.Type(1) == lua.TypeTable && s.ToPointer(1) == class {
			s.Remove(1)
		}
		return fn(s)
	})
	s.RawSetField(classIdx, name)
}

// Queue is a goroutine-safe list of posted functions that the tick
// goroutine drains: a ready-made implementation of Host.Post.
type Queue struct {
	mu    sync.Mutex
	items []func(*lua.State) error
}

// Post adds fn to the queue. Safe from any goroutine.
func (q *Queue) Post(fn func(*lua.State) error) {
	q.mu.Lock()
	q.items = append(q.items, fn)
	q.mu.Unlock()
}

// Len reports how many functions wait.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Drain runs the functions posted so far, in order, and passes each
// error to report (which may be nil). Functions posted while draining
// wait for the next Drain. It returns how many ran.
func (q *Queue) Drain(s *lua.State, report func(error)) int {
	q.mu.Lock()
	items := q.items
	q.items = nil
	q.mu.Unlock()
	for _, fn := range items {
		if err := fn(s); err != nil && report != nil {
			report(err)
		}
	}
	return len(items)
}

// Discard drops the queued functions without running them (after a
// reset, when their registry references belong to a closed state).
func (q *Queue) Discard() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}

// trackFile remembers f for Close, dropping entries whose File is gone.
func (l *Libs) trackFile(f *fileObject) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.files) >= 64 {
		for w := range l.files {
			if w.Value() == nil {
				delete(l.files, w)
			}
		}
	}
	l.files[weak.Make(f)] = struct{}{}
}

// untrackFile forgets f (closed by the script).
func (l *Libs) untrackFile(f *fileObject) {
	l.mu.Lock()
	delete(l.files, weak.Make(f))
	l.mu.Unlock()
}
