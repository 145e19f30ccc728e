package core

import (
	"testing"
	"unicode/utf8"

	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

// Query text goes into FTS5 MATCH and tsquery expressions; no input may break their syntax.
var hostileQueries = []string{
	`AND`, `NOT vehicle`, `a OR b`, `"`, `""`, `*`, `vehicle*`, `NEAR(a b)`, `a:*|b`, `'; DROP TABLE resources; --`,
	`(`, `)`, `^start`, `col:value`, `%`, `_`, `\`, `a & b | !c`, `<->`, `ÄÖÜ straße`, `日本語`, `٣٤`, "e\u0301", "\x00",
	`-vehicle`, `+vehicle`, `{a b}`, `a.b.c`, `x@1.2.3`,
}

func TestSearchHostileQueries(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		f.upload(t, alice, KindPackages, "vehicle", storetest.PackageZip(t, "1.0.0"), true, "")
		for _, q := range hostileQueries {
			if !utf8.ValidString(q) || (f.env.DB.Dialect == "postgres" && q == "\x00") {
				continue // PostgreSQL text cannot hold NUL; the API refuses invalid UTF-8
			}
			res, err := f.svc.Search(ctx, SearchQuery{Q: q})
			if err != nil {
				t.Errorf("query %q: %v", q, err)
				continue
			}
			if q == `+vehicle` || q == `vehicle*` || q == `-vehicle` {
				if res.Total != 1 {
					t.Errorf("query %q should find the vehicle package, got %d", q, res.Total)
				}
			}
		}
	})
}

func FuzzSearch(f *testing.F) {
	for _, q := range hostileQueries {
		f.Add(q)
	}
	fx := newFixture(f, storetest.Backends[0])
	f.Fuzz(func(t *testing.T, q string) {
		if !utf8.ValidString(q) {
			return
		}
		if _, err := fx.svc.Search(ctx, SearchQuery{Q: q}); err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
	})
}
