package cli

import (
	"fmt"
	"strings"

	"github.com/nanoforge/nanoforge/storeclient"
)

// Options are the flags a command line may carry, anywhere among its words.
type Options struct {
	Token         string // --token
	Store         string // --store
	Dir           string // --dir: the server folder
	Channel       string // --channel
	Force         bool   // --force
	Yes           bool   // --yes: answer prompts with their default
	Title         string // --title (add)
	Author        string // --author (add)
	Type          string // --type (add)
	Changelog     string // --changelog (upload)
	ChangelogFile string // --changelog-file (upload)
	Publish       bool   // --publish (upload)
	set           map[string]bool
}

// Given reports whether the flag (without dashes) appeared on the command line.
func (o *Options) Given(flag string) bool { return o.set[flag] }

// merge fills o's unset flags from base (the flags given when the CLI started).
func (o *Options) merge(base *Options) {
	if base == nil {
		return
	}
	str := func(dst *string, src, name string) {
		if !o.Given(name) {
			*dst = src
		}
	}
	str(&o.Token, base.Token, "token")
	str(&o.Store, base.Store, "store")
	str(&o.Dir, base.Dir, "dir")
	str(&o.Channel, base.Channel, "channel")
	if !o.Given("force") {
		o.Force = base.Force
	}
	if !o.Given("yes") {
		o.Yes = base.Yes
	}
}

type flagSpec struct {
	boolean bool
	field   func(*Options) any
}

var flagSpecs = map[string]flagSpec{
	"token":          {field: func(o *Options) any { return &o.Token }},
	"store":          {field: func(o *Options) any { return &o.Store }},
	"dir":            {field: func(o *Options) any { return &o.Dir }},
	"channel":        {field: func(o *Options) any { return &o.Channel }},
	"title":          {field: func(o *Options) any { return &o.Title }},
	"author":         {field: func(o *Options) any { return &o.Author }},
	"type":           {field: func(o *Options) any { return &o.Type }},
	"changelog":      {field: func(o *Options) any { return &o.Changelog }},
	"changelog-file": {field: func(o *Options) any { return &o.ChangelogFile }},
	"force":          {boolean: true, field: func(o *Options) any { return &o.Force }},
	"yes":            {boolean: true, field: func(o *Options) any { return &o.Yes }},
	"publish":        {boolean: true, field: func(o *Options) any { return &o.Publish }},
}

// Command is one parsed CLI command.
type Command struct {
	Name string           // install, update, add, ...
	Kind storeclient.Kind // for commands taking `package|assets`; empty otherwise
	Args []string         // names (split on spaces and commas) or search words
	Opts Options
}

// UsageError is a command line the CLI cannot run; its text says how to write it.
type UsageError struct{ Msg string }

// Error returns the message, which includes the right usage.
func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// ParseArgs splits words into flags and positional words. Flags are `--name value`,
// `--name=value`, or `--name` for switches; `--` ends flags.
func ParseArgs(words []string) (pos []string, opts Options, err error) {
	opts.set = map[string]bool{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			pos = append(pos, words[i+1:]...)
			break
		}
		if !strings.HasPrefix(w, "--") || len(w) == 2 {
			pos = append(pos, w)
			continue
		}
		name, value, hasValue := strings.Cut(w[2:], "=")
		name = strings.ToLower(name)
		spec, ok := flagSpecs[name]
		if !ok {
			return nil, opts, usagef("unknown flag --%s; run `help` for the list of flags", name)
		}
		switch p := spec.field(&opts).(type) {
		case *bool:
			v := true
			if hasValue {
				switch strings.ToLower(value) {
				case "1", "true", "yes", "on":
				case "0", "false", "no", "off":
					v = false
				default:
					return nil, opts, usagef("flag --%s takes no value or true/false, not %q", name, value)
				}
			}
			*p = v
		case *string:
			if !hasValue {
				if i+1 >= len(words) {
					return nil, opts, usagef("flag --%s needs a value: --%s VALUE", name, name)
				}
				i++
				value = words[i]
			}
			*p = value
		}
		opts.set[name] = true
	}
	return pos, opts, nil
}

// splitNames splits words such as `a, b` `c,d` into names, as the documented `NAME1, NAME2...`
// form and the space-separated form used in practice both occur.
func splitNames(words []string) []string {
	var out []string
	for _, w := range words {
		for _, n := range strings.Split(w, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// commandKinds says which commands take a `package|assets` word and how many names.
var commandKinds = map[string]struct {
	kind    bool // takes package|assets
	minArgs int
	maxArgs int // -1 = any
	usage   string
}{
	"help":      {usage: "help"},
	"stop":      {usage: "stop"},
	"check":     {usage: "check"},
	"list":      {usage: "list"},
	"install":   {kind: true, minArgs: 1, maxArgs: -1, usage: "install [package|assets] NAME1, NAME2..."},
	"update":    {kind: true, minArgs: 1, maxArgs: -1, usage: "update [package|assets] NAME1, NAME2..."},
	"uninstall": {kind: true, minArgs: 1, maxArgs: -1, usage: "uninstall [package|assets] NAME1, NAME2..."},
	"add":       {kind: true, minArgs: 1, maxArgs: 1, usage: "add [package|assets] NAME"},
	"upload":    {kind: true, minArgs: 1, maxArgs: 1, usage: "upload [package|assets] NAME"},
	"info":      {kind: true, minArgs: 1, maxArgs: 1, usage: "info [package|assets] NAME"},
	"search":    {minArgs: 1, maxArgs: -1, usage: "search TERM"},
}

// ParseCommand parses one command line (already split into words).
func ParseCommand(words []string) (*Command, error) {
	pos, opts, err := ParseArgs(words)
	if err != nil {
		return nil, err
	}
	if len(pos) == 0 {
		return nil, usagef("no command given; run `help` for the list of commands")
	}
	name := strings.ToLower(pos[0])
	spec, ok := commandKinds[name]
	if !ok {
		return nil, usagef("unknown command %q; run `help` for the list of commands", pos[0])
	}
	cmd := &Command{Name: name, Opts: opts}
	rest := pos[1:]
	if spec.kind {
		if len(rest) > 0 {
			if k, err := storeclient.ParseKind(rest[0]); err == nil {
				cmd.Kind = k
				rest = rest[1:]
			}
		}
		switch {
		case cmd.Kind == "" && name == "info":
			// info searches both kinds when none is given
		case cmd.Kind == "" && (name == "install" || name == "update") && len(rest) == 0:
			// install/update with no names work from the lock file
		case cmd.Kind == "" && name == "update" && len(rest) == 1 && strings.EqualFold(rest[0], "server"):
			return nil, usagef("`update server` is not needed: update nanoforge itself with your system's package manager or a new release")
		case cmd.Kind == "":
			return nil, usagef("say which kind of resource: %s (for example `%s package %s`)", spec.usage, name, firstOr(rest, "my-package"))
		}
	}
	if name == "search" {
		cmd.Args = rest
	} else {
		cmd.Args = splitNames(rest)
	}
	n := len(cmd.Args)
	needNames := spec.minArgs
	if (name == "install" || name == "update") && cmd.Kind == "" {
		needNames = 0
	}
	if n < needNames || (spec.maxArgs >= 0 && n > spec.maxArgs) {
		return nil, usagef("usage: %s", spec.usage)
	}
	return cmd, nil
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// SplitLine splits an interactive line into words, honouring double and single quotes so a
// title with spaces can be given (`--title "My Mode"`).
func SplitLine(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote = r
			inWord = true
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, usagef("unclosed %c quote in %q", quote, line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
