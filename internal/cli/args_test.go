package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/storeclient"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		name string
		kind storeclient.Kind
		args []string
		err  string
	}{
		{line: "help", name: "help"},
		{line: "HELP", name: "help"},
		{line: "stop", name: "stop"},
		{line: "check", name: "check"},
		{line: "install package sandbox battlefield-kill-ui", name: "install", kind: storeclient.Packages, args: []string{"sandbox", "battlefield-kill-ui"}},
		{line: "install package a, b,c", name: "install", kind: storeclient.Packages, args: []string{"a", "b", "c"}},
		{line: "install packages a@1.2.3", name: "install", kind: storeclient.Packages, args: []string{"a@1.2.3"}},
		{line: "install assets props", name: "install", kind: storeclient.Assets, args: []string{"props"}},
		{line: "install", name: "install"},
		{line: "update", name: "update"},
		{line: "update assets a b", name: "update", kind: storeclient.Assets, args: []string{"a", "b"}},
		{line: "uninstall package a", name: "uninstall", kind: storeclient.Packages, args: []string{"a"}},
		{line: "add package my-mode", name: "add", kind: storeclient.Packages, args: []string{"my-mode"}},
		{line: "add assets my-props", name: "add", kind: storeclient.Assets, args: []string{"my-props"}},
		{line: "upload package my-mode --changelog fixed", name: "upload", kind: storeclient.Packages, args: []string{"my-mode"}},
		{line: "info sandbox", name: "info", args: []string{"sandbox"}},
		{line: "info assets props", name: "info", kind: storeclient.Assets, args: []string{"props"}},
		{line: "search battle royale", name: "search", args: []string{"battle", "royale"}},
		{line: "list", name: "list"},
		{line: "install sandbox", err: "say which kind"},
		{line: "install package", err: "usage: install"},
		{line: "add package a b", err: "usage: add"},
		{line: "add package", err: "usage: add"},
		{line: "upload a", err: "say which kind"},
		{line: "search", err: "usage: search"},
		{line: "update server", err: "not needed"},
		{line: "frobnicate", err: "unknown command"},
		{line: "", err: "no command"},
		{line: "install package a --bogus", err: "unknown flag --bogus"},
		{line: "install package a --token", err: "needs a value"},
		{line: "install package a --force=maybe", err: "true/false"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words, _ := SplitLine(tt.line)
			cmd, err := ParseCommand(words)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v; want one containing %q", err, tt.err)
				}
				if _, ok := err.(*UsageError); !ok {
					t.Fatalf("error %T is not a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cmd.Name != tt.name || cmd.Kind != tt.kind || !reflect.DeepEqual(cmd.Args, tt.args) {
				t.Fatalf("got %s %q %q; want %s %q %q", cmd.Name, cmd.Kind, cmd.Args, tt.name, tt.kind, tt.args)
			}
		})
	}
}

func TestParseArgsFlags(t *testing.T) {
	pos, o, err := ParseArgs([]string{"--token", "t0k", "install", "--store=http://x:1", "package", "a", "--force", "--channel", "beta", "--publish=false", "--", "--not-a-flag"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pos, []string{"install", "package", "a", "--not-a-flag"}) {
		t.Fatalf("positional = %q", pos)
	}
	if o.Token != "t0k" || o.Store != "http://x:1" || !o.Force || o.Channel != "beta" || o.Publish {
		t.Fatalf("options = %+v", o)
	}
	if !o.Given("publish") || o.Given("title") {
		t.Fatal("Given does not track the flags seen")
	}
}

func TestOptionsMerge(t *testing.T) {
	_, base, _ := ParseArgs([]string{"--token", "base", "--store", "http://s", "--force"})
	_, o, _ := ParseArgs([]string{"--token", "line"})
	o.merge(&base)
	if o.Token != "line" || o.Store != "http://s" || !o.Force {
		t.Fatalf("merged = %+v; a line's own flags win, the rest come from the start flags", o)
	}
}

func TestSplitLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"  install   package a  ", []string{"install", "package", "a"}, false},
		{`add package x --title "My Mode" --author 'A B'`, []string{"add", "package", "x", "--title", "My Mode", "--author", "A B"}, false},
		{`--title ""`, []string{"--title", ""}, false},
		{"a\tb\r\n", []string{"a", "b"}, false},
		{`"unclosed`, nil, true},
		{"", nil, false},
	}
	for _, tt := range tests {
		got, err := SplitLine(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitLine(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"install package a, b", `add package "x y" --title=z`, "search", "--token", "update server", "info ''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := SplitLine(line)
		if err != nil {
			return
		}
		cmd, err := ParseCommand(words)
		if err != nil {
			return
		}
		if _, ok := commandKinds[cmd.Name]; !ok {
			t.Fatalf("parsed unknown command %q", cmd.Name)
		}
	})
}
