package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/server"
)

// stoppedClock always tells the same time, so the example's output is stable.
type stoppedClock struct{}

func (stoppedClock) Now() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// A server in manual mode: the caller advances it one tick at a time with Step, as tests do.
func Example() {
	dir, err := os.MkdirTemp("", "nanoforge-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cfg := config.Default()
	cfg.Game.Packages = []string{"hello"}
	cfg.Debug.AsyncLog = false
	if err := config.Save(filepath.Join(dir, config.FileName), cfg); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := packagestest.Write(dir, packagestest.Spec{Name: "hello"}); err != nil {
		fmt.Println(err)
		return
	}

	srv, err := server.New(server.Options{Dir: dir, Output: os.Stdout, Clock: stoppedClock{}, NoLogFile: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Start(); err != nil {
		fmt.Println(err)
		return
	}
	srv.Submit("players")
	srv.Step()
	srv.Submit("stop")
	fmt.Println("running after stop:", srv.Step())

	// Output:
	// [12:00:00] INFO  Starting Server at Port: 7777. Version: 0.1.0. Map: 'default-blank-map'.
	// [12:00:00] WARN  No script host: running without scripting; packages' Lua code will not run
	// [12:00:00] INFO  Loading Package 'hello'...
	// [12:00:00] INFO  Package 'hello' loaded.
	// [12:00:00] INFO  Server started! Port 7777, tick rate 30 Hz.
	// [12:00:00] INFO  No players connected (0/64)
	// [12:00:00] INFO  Stopping server...
	// [12:00:00] INFO  Server stopped.
	// running after stop: false
}
