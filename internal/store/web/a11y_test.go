package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/nanoforge/nanoforge/internal/store/core"
)

// TestPagesAccessible checks every page, as a team owner sees it (the most forms), for the
// structural rules the UI promises: landmarks, one h1 and no skipped heading levels, a label
// for every control, alt text on images, unique ids, and a CSRF field in every POST form
// (first in multipart forms, which are read as a stream).
func TestPagesAccessible(t *testing.T) {
	s := newSite(t)
	owner := s.user("olga")
	s.user("pete")
	s.publishPackage(owner, "parkour", "1.0.0", true, "base-lib")
	s.publishPackage(owner, "parkour", "1.1.0", false)
	img := "https://example.org/p.png"
	desc := "# Parkour\n\nRun and jump.\n\n## How to play\n\nJump."
	if _, err := s.svc.UpdateResource(context.Background(), actor(owner), "packages", "parkour", core.ResourceUpdate{Image: &img, Tags: &[]string{"movement"}, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.SetMember(context.Background(), actor(owner), "olga", "pete", core.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	// A second team: the edit page offers a move, and an empty team shows the delete form.
	if _, err := s.svc.CreateTeam(context.Background(), actor(owner), "crew", "The Crew", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Announce(context.Background(), core.GameServer{Address: "127.0.0.1:7777", Name: "Parkour", MaxPlayers: 8}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	anon := []string{"/", "/search?q=park", "/login", "/signup", "/servers", "/packages/parkour", "/packages/parkour/releases/1.0.0", "/teams/olga", "/nothing/here/at/all"}
	for _, path := range anon {
		checkPage(t, "visitor "+path, b.get(path).Body)
	}
	b.signIn("olga")
	for _, path := range []string{"/", "/packages/parkour", "/packages/parkour/releases/1.0.0", "/packages/parkour/releases/1.1.0",
		"/packages/parkour/edit", "/packages/parkour/upload", "/new", "/new?team=crew", "/account/tokens", "/teams", "/teams/olga", "/teams/crew", "/servers"} {
		p := b.get(path)
		checkPage(t, "owner "+path, p.Body)
		if path == "/packages/parkour/edit" {
			mustContain(t, p, `<select id="team" name="team"`, `id="image_file"`)
		}
		if path == "/teams/crew" {
			mustContain(t, p, "Delete this team")
		}
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func checkPage(t *testing.T, name, body string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	ids := map[string]int{}
	labelFor := map[string]bool{}
	landmarks := map[string]int{}
	var headings []int
	type control struct {
		id, desc  string
		inLabel   bool
		ariaLabel bool
	}
	var controls []control
	var walk func(n *html.Node, inLabel bool, form *html.Node)
	walk = func(n *html.Node, inLabel bool, form *html.Node) {
		if n.Type == html.ElementNode {
			if id, ok := attr(n, "id"); ok {
				ids[id]++
			}
			switch n.Data {
			case "header", "nav", "main", "footer":
				landmarks[n.Data]++
			case "h1", "h2", "h3", "h4", "h5", "h6":
				headings = append(headings, int(n.Data[1]-'0'))
			case "label":
				if f, ok := attr(n, "for"); ok {
					labelFor[f] = true
				}
				inLabel = true
			case "img":
				if _, ok := attr(n, "alt"); !ok {
					src, _ := attr(n, "src")
					bad("img %s has no alt text", src)
				}
			case "form":
				form = n
				checkForm(n, bad)
			case "input", "select", "textarea":
				typ, _ := attr(n, "type")
				if typ != "hidden" && typ != "submit" {
					id, _ := attr(n, "id")
					nm, _ := attr(n, "name")
					_, al := attr(n, "aria-label")
					_, alb := attr(n, "aria-labelledby")
					controls = append(controls, control{id: id, desc: n.Data + " " + nm, inLabel: inLabel, ariaLabel: al || alb})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inLabel, form)
		}
	}
	walk(doc, false, nil)
	for _, c := range controls {
		if !c.inLabel && !c.ariaLabel && (c.id == "" || !labelFor[c.id]) {
			bad("%s (id %q) has no label", c.desc, c.id)
		}
	}
	for id, n := range ids {
		if n > 1 {
			bad("id %q is used %d times", id, n)
		}
	}
	for _, l := range []string{"header", "nav", "main", "footer"} {
		if landmarks[l] == 0 {
			bad("no <%s> landmark", l)
		}
	}
	h1 := 0
	for i, h := range headings {
		if h == 1 {
			h1++
		}
		if i > 0 && h > headings[i-1]+1 {
			bad("heading level jumps from h%d to h%d", headings[i-1], h)
		}
	}
	if h1 != 1 {
		bad("%d h1 headings, want 1", h1)
	}
	if len(headings) > 0 && headings[0] != 1 {
		bad("the first heading is h%d", headings[0])
	}
	for _, p := range problems {
		t.Errorf("%s: %s", name, p)
	}
}

// checkForm requires a CSRF field in every POST form, first among the fields of multipart ones.
func checkForm(f *html.Node, bad func(string, ...any)) {
	method, _ := attr(f, "method")
	if !strings.EqualFold(method, "post") {
		return
	}
	action, _ := attr(f, "action")
	enc, _ := attr(f, "enctype")
	var fields []string
	var collect func(n *html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "textarea") {
			nm, _ := attr(n, "name")
			if nm != "" {
				fields = append(fields, nm)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			collect(c)
		}
	}
	collect(f)
	found := false
	for _, nm := range fields {
		found = found || nm == "csrf_token"
	}
	if !found {
		bad("POST form %s has no csrf_token field", action)
	}
	if enc == "multipart/form-data" && (len(fields) == 0 || fields[0] != "csrf_token") {
		bad("multipart form %s must send csrf_token first, sends %v", action, fields)
	}
}
