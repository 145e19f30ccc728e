package web

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/teams", "/teams"},
		{"/search?q=a&kind=packages", "/search?q=a&kind=packages"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"teams", "/"},
		{"/a\r\nSet-Cookie: x=y", "/"},
	}
	for _, c := range cases {
		if got := localPath(c.in); got != c.want {
			t.Errorf("localPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzLocalPath: whatever a visitor puts in ?next=, the redirect stays on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"", "/", "/teams", "//x", "/\\x", "http://x", "/a\nb", "\\\\x", "/%2F/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := localPath(s)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\r\n") {
			t.Fatalf("localPath(%q) = %q leaves the site", s, got)
		}
		if got != "/" && got != s {
			t.Fatalf("localPath(%q) = %q rewrote a path instead of keeping or dropping it", s, got)
		}
	})
}

func TestHumanSizeAndCount(t *testing.T) {
	sizes := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {5 << 20, "5.0 MiB"}, {3 << 30, "3.0 GiB"}}
	for _, c := range sizes {
		if got := humanSize(c.n); got != c.want {
			t.Errorf("humanSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	counts := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.0k"}, {1550, "1.6k"}, {12345, "12k"}, {2_500_000, "2.5M"}}
	for _, c := range counts {
		if got := humanCount(c.n); got != c.want {
			t.Errorf("humanCount(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestTemplatesParse keeps every page template parseable together with the layout.
func TestTemplatesParse(t *testing.T) {
	pages := mustParse()
	for _, p := range pageNames {
		if pages[p] == nil || pages[p].Lookup("content") == nil || pages[p].Lookup("layout") == nil {
			t.Errorf("page %s lacks its content or the layout", p)
		}
	}
}
