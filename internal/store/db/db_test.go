package db_test

import (
	"context"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/db"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	pg := &db.DB{Dialect: db.Postgres}
	if got := pg.Rebind("SELECT a FROM t WHERE x = ? AND y IN (?, ?)"); got != "SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)" {
		t.Fatalf("postgres: %s", got)
	}
	lite := &db.DB{Dialect: db.SQLite}
	if got := lite.Rebind("x = ?"); got != "x = ?" {
		t.Fatalf("sqlite: %s", got)
	}
}

// Both dialects migrate, report unique violations the same way, and round-trip values.
func TestDialects(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := storetest.Open(t, b)
			d := env.DB
			ctx := context.Background()
			q := d.Q()
			ins := `INSERT INTO teams (name, name_lower, created_at) VALUES (?, ?, ?) RETURNING id`
			var id int64
			if err := q.Row(ctx, ins, "Crew", "crew", int64(1700000000123)).Scan(&id); err != nil || id == 0 {
				t.Fatalf("insert: %d %v", id, err)
			}
			err := q.Row(ctx, ins, "CREW", "crew", int64(1)).Scan(&id)
			if !db.IsUnique(err) {
				t.Fatalf("want a unique violation, got %v", err)
			}
			var at int64
			q.Row(ctx, `SELECT created_at FROM teams WHERE name_lower = ?`, "crew").Scan(&at)
			if db.Time(at).UnixMilli() != 1700000000123 || db.Millis(db.Time(at)) != at {
				t.Fatalf("time round trip: %d", at)
			}
			// Opening again (a second process, or a restart) finds the schema up to date.
			d2, err := db.Open(ctx, env.DBURL)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer d2.Close()
			var n int
			if err := d2.Q().Row(ctx, `SELECT COUNT(*) FROM teams`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("second connection sees %d teams: %v", n, err)
			}
		})
	}
}
