package web

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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

func TestRenderMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"# Title", "<h3>Title</h3>"},
		{"## Part\n\ntext", "<h4>Part</h4>"},
		{"###### Deep", "<h6>Deep</h6>"},
		{"**bold** <script>alert(1)</script>", "<strong>bold</strong>"},
		{"`<h1>` in code", "<code>&lt;h1&gt;</code>"},
		{"[x](javascript:alert(1))", "x"},
	}
	for _, c := range cases {
		got := string(renderMarkdown(c.in))
		if !strings.Contains(got, c.want) {
			t.Errorf("renderMarkdown(%q) = %q, want it to hold %q", c.in, got, c.want)
		}
		if strings.Contains(got, "<script") || strings.Contains(got, "javascript:") || strings.Contains(got, "<h1") || strings.Contains(got, "<h2") {
			t.Errorf("renderMarkdown(%q) = %q keeps something unsafe or a top-level heading", c.in, got)
		}
	}
}

// FuzzRenderMarkdown: no Markdown produces a script, an event handler, a javascript: link or a
// page-level heading in the parsed output.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{"# a", "<h1>x</h1>", "<img src=x onerror=alert(1)>", "[a](javascript:b)", "<H2 class=x>y</H2>", "```\n<h1>\n```"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(renderMarkdown(s))
		nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
		if err != nil {
			t.Fatalf("renderMarkdown(%q) = %q does not parse: %v", s, out, err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "iframe", "object", "embed", "style", "h1", "h2", "form", "input":
					t.Fatalf("renderMarkdown(%q) = %q holds <%s>", s, out, n.Data)
				}
				for _, a := range n.Attr {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(a.Key, "on") || (a.Key == "href" || a.Key == "src") && strings.HasPrefix(v, "javascript:") {
						t.Fatalf("renderMarkdown(%q) = %q holds %s=%q", s, out, a.Key, a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
	})
}
