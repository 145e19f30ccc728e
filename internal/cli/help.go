package cli

import "strings"

// documentedCommands are nanos world's own `help` lines, kept byte-for-byte so scripts and
// players who know them find them unchanged.
var documentedCommands = []string{
	"stop",
	"help",
	"update [package|assets] NAME1, NAME2...",
	"install [package|assets] NAME1, NAME2...",
	"upload [package|assets] NAME",
	"add [package|assets] NAME",
	"check",
}

// extensionCommands are Nanoforge's additions.
var extensionCommands = []string{
	"uninstall [package|assets] NAME1, NAME2...",
	"list",
	"search TERM",
	"info [package|assets] NAME",
}

var helpFlags = [][2]string{
	{"--token TOKEN", "Store token (default: $NANOFORGE_TOKEN, then Config.toml [general] token)"},
	{"--store URL", "Store address (default: $NANOFORGE_STORE_URL, for `install` alone the lock file's, then " + defaultStoreNote + ")"},
	{"--dir PATH", "server folder (default: the current folder)"},
	{"--channel beta|alpha", "allow pre-releases when installing or updating; the release channel when uploading"},
	{"--force", "replace locally changed files without asking"},
	{"--yes", "answer every question with its default"},
	{"--title, --author, --type", "values for add, instead of the prompts"},
	{"--changelog TEXT, --changelog-file PATH", "changelog for upload, instead of the prompt"},
	{"--publish", "publish the uploaded release at once (needs the admin or owner role in the team)"},
	{"NAME@1.2.3", "install or update exactly that version"},
}

const defaultStoreNote = "http://127.0.0.1:8080"

// HelpText returns the `help` output: the documented command list in nanos world's format,
// then the extensions and flags.
func HelpText() string {
	var b strings.Builder
	b.WriteString("INFO  Available commands:\n")
	for _, c := range documentedCommands {
		b.WriteString("\t- " + c + "\n")
	}
	b.WriteString("INFO  Nanoforge commands:\n")
	for _, c := range extensionCommands {
		b.WriteString("\t- " + c + "\n")
	}
	b.WriteString("INFO  Flags (anywhere on the line):\n")
	width := 0
	for _, f := range helpFlags {
		width = max(width, len(f[0]))
	}
	for _, f := range helpFlags {
		b.WriteString("\t" + f[0] + strings.Repeat(" ", width-len(f[0])+2) + f[1] + "\n")
	}
	return b.String()
}
