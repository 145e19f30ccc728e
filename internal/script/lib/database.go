package lib

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nanoforge/nanoforge/internal/lua"
)

const databaseMeta = "nanoforge.Database"

// dbObject is the Lua-side Database: the pool, or nil once closed.
type dbObject struct {
	db     *DB
	engine DatabaseEngine
}

// registerDatabase defines the Database class: Database(engine,
// connection_string, pool_size) and its methods.
func (l *Libs) registerDatabase(s *lua.State) error {
	cls, err := newClass(s, "Database")
	if err != nil {
		return err
	}
	// Constructor: Database(...) through the class table's __call.
	s.CreateTable(0, 1)
	s.PushStaticGoFunction(l.newDatabase)
	s.RawSetField(-2, "__call")
	s.SetMetatable(cls)

	s.NewGoMetatable(databaseMeta)
	s.CreateTable(0, 5)
	for name, fn := range map[string]func(*lua.State, *dbObject) (int, error){
		"Execute":      l.dbExecute,
		"Select":       l.dbSelect,
		"ExecuteAsync": l.dbExecuteAsync,
		"SelectAsync":  l.dbSelectAsync,
		"Close":        l.dbClose,
	} {
		s.PushStaticGoFunction(dbMethod(name, fn))
		s.RawSetField(-2, name)
	}
	s.RawSetField(-2, "__index")
	s.PushStaticGoFunction(func(s *lua.State) (int, error) {
		d, _ := s.ToGoValue(1)
		if o, ok := d.(*dbObject); ok {
			state := "open"
			if o.db == nil {
				state = "closed"
			}
			s.PushString(fmt.Sprintf("Database(%s, %s)", o.engine, state))
			return 1, nil
		}
		s.PushString("Database")
		return 1, nil
	})
	s.RawSetField(-2, "__tostring")
	s.Pop(2)
	return nil
}

// dbMethod checks self and that the database is open.
func dbMethod(name string, fn func(*lua.State, *dbObject) (int, error)) lua.GoFunction {
	return func(s *lua.State) (int, error) {
		v, _ := s.ToGoValue(1)
		o, ok := v.(*dbObject)
		if !ok {
			return 0, fmt.Errorf("Database:%s: call it with ':' on a Database (got %s as self)", name, typeName(s, 1))
		}
		if o.db == nil && name != "Close" {
			return 0, fmt.Errorf("Database:%s: the database is closed", name)
		}
		return fn(s, o)
	}
}

// newDatabase is Database(engine, connection_string, pool_size). As
// documented, a failed connection logs the error and returns nil.
func (l *Libs) newDatabase(s *lua.State) (int, error) {
	// Argument 1 is the class table (__call).
	var engine DatabaseEngine
	switch s.Type(2) {
	case lua.TypeNumber:
		n, _ := s.ToInteger(2)
		engine = DatabaseEngine(n)
	case lua.TypeString:
		name, _ := s.ToString(2)
		switch strings.ToLower(name) {
		case "sqlite":
			engine = EngineSQLite
		case "mysql":
			engine = EngineMySQL
		case "postgresql", "postgres":
			engine = EnginePostgreSQL
		default:
			return 0, &lua.ArgError{Arg: 1, Msg: fmt.Sprintf("unknown database engine %q: use DatabaseEngine.SQLite, MySQL or PostgreSQL", name)}
		}
	default:
		return 0, &lua.ArgError{Arg: 1, Msg: "DatabaseEngine expected, got " + typeName(s, 2)}
	}
	conn, err := argString(s, 3, "", false)
	if err != nil {
		return 0, &lua.ArgError{Arg: 2, Msg: "connection string expected, got " + typeName(s, 3)}
	}
	pool, err := argInt(s, 4, 10)
	if err != nil {
		return 0, &lua.ArgError{Arg: 3, Msg: "pool size must be an integer"}
	}
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return 0, errors.New("Database: the scripting libraries are shutting down")
	}
	var db *DB
	l.blocking(s, func() { db, err = OpenDB(context.Background(), engine, conn, int(pool), l.host.ServerDir()) })
	if err != nil {
		l.log.Error(err.Error())
		s.PushNil()
		return 1, nil
	}
	o := &dbObject{db: db, engine: engine}
	l.mu.Lock()
	l.dbs[o] = struct{}{}
	l.mu.Unlock()
	s.PushGoValue(o, databaseMeta)
	return 1, nil
}

// queryParams reads the query parameters from index from to the top.
func queryParams(s *lua.State, from int, what string) ([]any, error) {
	var params []any
	for i := from; i <= s.Top(); i++ {
		v, err := toValue(s, i, fmt.Sprintf("%s parameter :%d", what, i-from))
		if err != nil {
			return nil, err
		}
		params = append(params, v)
	}
	return params, nil
}

// paramCheck turns a parameter problem into a Lua error naming the method;
// other errors (from the engine) are returned to the script as text.
func paramCheck(what string, err error) error {
	var pe *ParamError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %s", what, pe.Msg)
	}
	return nil
}

func (l *Libs) dbExecute(s *lua.State, o *dbObject) (int, error) {
	if s.Type(3) == lua.TypeFunction {
		// Before 1.29 Execute took a callback: run it asynchronously.
		l.host.Deprecated(s, "Database:Execute with a callback (use Database:ExecuteAsync)")
		return l.dbExecuteAsync(s, o)
	}
	return l.dbSync(s, o, "Database:Execute", execQuery)
}

func (l *Libs) dbSelect(s *lua.State, o *dbObject) (int, error) {
	if s.Type(3) == lua.TypeFunction {
		l.host.Deprecated(s, "Database:Select with a callback (use Database:SelectAsync)")
		return l.dbSelectAsync(s, o)
	}
	return l.dbSync(s, o, "Database:Select", selectQuery)
}

// dbQuery runs one query and returns the function that pushes its result on the Lua thread.
// After an error the result is still pushed: 0 affected rows, or an empty table of rows.
type dbQuery func(db *DB, query string, params []any) (push func(*lua.State), err error)

func execQuery(db *DB, query string, params []any) (func(*lua.State), error) {
	n, err := db.Execute(context.Background(), query, params)
	return func(s *lua.State) { s.PushInteger(n) }, err
}

func selectQuery(db *DB, query string, params []any) (func(*lua.State), error) {
	rows, err := db.Select(context.Background(), query, params)
	return func(s *lua.State) { pushRows(s, rows) }, err
}

// dbSync is the shared body of Database:Execute and Select: it reads (query, params...),
// runs the query and returns (result, nil) or (result, message). Parameter mistakes are Lua
// errors; engine errors are logged and returned as the message.
func (l *Libs) dbSync(s *lua.State, o *dbObject, what string, run dbQuery) (int, error) {
	query, err := argString(s, 2, "", false)
	if err != nil {
		return 0, err
	}
	params, err := queryParams(s, 3, what)
	if err != nil {
		return 0, err
	}
	var push func(*lua.State)
	l.blocking(s, func() { push, err = run(o.db, query, params) })
	if err != nil {
		if perr := paramCheck(what, err); perr != nil {
			return 0, perr
		}
		msg := fmt.Sprintf("%s (%s): %v", what, o.engine, err)
		l.log.Warn(msg)
		push(s)
		s.PushString(msg)
		return 2, nil
	}
	push(s)
	s.PushNil()
	return 2, nil
}

func pushRows(s *lua.State, rows []Row) {
	s.CreateTable(len(rows), 0)
	for i, r := range rows {
		s.CreateTable(0, len(r.Columns))
		for j, c := range r.Columns {
			if r.Values[j] == nil {
				continue
			}
			pushValue(s, r.Values[j])
			s.RawSetField(-2, c)
		}
		s.RawSetI(-2, int64(i+1))
	}
}

// asyncArgs reads (query, callback, params...) from index 2.
func (l *Libs) asyncArgs(s *lua.State, what string) (string, asyncCallback, []any, error) {
	query, err := argString(s, 2, "", false)
	if err != nil {
		return "", asyncCallback{}, nil, err
	}
	params, err := queryParams(s, 4, what)
	if err != nil {
		return "", asyncCallback{}, nil, err
	}
	// Parameter mistakes are reported now, at the call, not in the callback.
	if _, _, err := BindQuery(0, query, params); err != nil {
		if perr := paramCheck(what, err); perr != nil {
			return "", asyncCallback{}, nil, perr
		}
	}
	ref, err := l.refCallback(s, 3)
	if err != nil {
		return "", asyncCallback{}, nil, err
	}
	return query, ref, params, nil
}

func (l *Libs) dbExecuteAsync(s *lua.State, o *dbObject) (int, error) {
	return l.dbAsync(s, o, "Database:ExecuteAsync", execQuery)
}

func (l *Libs) dbSelectAsync(s *lua.State, o *dbObject) (int, error) {
	return l.dbAsync(s, o, "Database:SelectAsync", selectQuery)
}

// dbAsync is the shared body of the ...Async methods: it reads (query,
// callback, params...), runs the query off the Lua thread and calls back
// with (result, nil) or (result, message). run's push function puts the
// result on the stack inside the callback, on the Lua thread.
func (l *Libs) dbAsync(s *lua.State, o *dbObject, what string, run dbQuery) (int, error) {
	query, ref, params, err := l.asyncArgs(s, what)
	if err != nil {
		return 0, err
	}
	db := o.db
	err = l.goAsync(func() {
		push, err := run(db, query, params)
		msg := ""
		if err != nil {
			msg = fmt.Sprintf("%s (%s): %v", what, o.engine, err)
			l.log.Warn(msg)
		}
		l.callback(ref, func(s *lua.State) int {
			push(s)
			if msg == "" {
				s.PushNil()
			} else {
				s.PushString(msg)
			}
			return 2
		})
	})
	if err != nil {
		ref.release(s)
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return 0, nil
}

// dbClose closes the pool. Queries already started finish first (the
// pool waits for them).
func (l *Libs) dbClose(s *lua.State, o *dbObject) (int, error) {
	if o.db == nil {
		return 0, nil
	}
	l.mu.Lock()
	delete(l.dbs, o)
	l.mu.Unlock()
	db := o.db
	o.db = nil
	if err := db.Close(); err != nil {
		l.log.Warn(fmt.Sprintf("Database:Close (%s): %v", o.engine, err))
	}
	return 0, nil
}
