package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/core"
)

// benchSite is a Store with 60 public packages, one of them with ten releases and a long
// description, served over loopback HTTP.
func benchSite(b *testing.B) *site {
	s := newSite(b)
	u := s.user("bench")
	for i := range 60 {
		s.publishPackage(u, fmt.Sprintf("pkg-%02d", i), "1.0.0", true)
	}
	for i := 1; i <= 10; i++ {
		s.publishPackage(u, "pkg-00", fmt.Sprintf("1.%d.0", i), true, "pkg-01", "pkg-02")
	}
	desc := ""
	for i := range 40 {
		desc += fmt.Sprintf("## Section %d\n\nSome **bold** text, a [link](https://example.org/%d) and `code`.\n\n- one\n- two\n\n", i, i)
	}
	if _, err := s.svc.UpdateResource(context.Background(), actor(u), "packages", "pkg-00", core.ResourceUpdate{Description: &desc, Tags: &[]string{"a", "b"}}); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchGet(b *testing.B, s *site, path string) {
	c := &http.Client{}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Get(s.srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
}

// BenchmarkBrowsePage is the front page: a search for the 20 most downloaded resources, rendered.
func BenchmarkBrowsePage(b *testing.B) { benchGet(b, benchSite(b), "/") }

// BenchmarkSearchPage is a word search with filters, rendered.
func BenchmarkSearchPage(b *testing.B) {
	benchGet(b, benchSite(b), "/search?q=pkg&kind=packages&category=script&sort=updated&page=2")
}

// BenchmarkResourcePage is a resource with ten releases and a long Markdown description.
func BenchmarkResourcePage(b *testing.B) { benchGet(b, benchSite(b), "/packages/pkg-00") }
