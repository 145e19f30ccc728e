package lib_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/script/lib"
)

// host is the smallest Host: a server folder, a queue drained "on the
// tick", a logger and no asset packs.
type host struct {
	dir string
	q   lib.Queue
}

func (h *host) ServerDir() string              { return h.dir }
func (h *host) Post(fn func(*lua.State) error) { h.q.Post(fn) }
func (h *host) Logger() *slog.Logger           { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
func (h *host) Deprecated(*lua.State, string)  {}
func (h *host) AssetPacks() []lib.AssetPack    { return nil }

func Example() {
	dir, _ := os.MkdirTemp("", "server")
	defer os.RemoveAll(dir)
	L, _ := lua.New(lua.Options{})
	defer L.Close()
	h := &host{dir: dir}
	libs, err := lib.Register(L, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer libs.Close()

	// say prints through Go (Lua's print writes to the C stdout).
	_ = L.Register("say", func(s *lua.State) (int, error) {
		var parts []any
		for i := 1; i <= s.Top(); i++ {
			str, _ := s.Stringify(i)
			parts = append(parts, str)
		}
		fmt.Println(parts...)
		return 0, nil
	})
	_ = L.DoString(`
		say(Vector(1, 2, 3) + Vector(1))
		say(JSON.stringify({name = "srv", players = {1, 2}}))
		local db = Database(0 --[[DatabaseEngine.SQLite]], "db=example.db")
		db:Execute("CREATE TABLE t (n INTEGER)")
		db:Execute("INSERT INTO t VALUES (:0), (:1)", 10, 20)
		db:SelectAsync("SELECT SUM(n) AS total FROM t", function(rows) say("total", rows[1].total) end)
	`, "=example")

	// The tick goroutine runs the callbacks of finished work.
	libs.Wait()
	h.q.Drain(L, func(err error) { fmt.Println(err) })
	// Output:
	// Vector(X = 2, Y = 3, Z = 4)
	// {"name":"srv","players":[1,2]}
	// total 30
}
