package cli

import (
	"strings"
	"testing"
)

// The documented part of `help` must match nanos world's output byte for byte.
func TestHelpStartsWithTheDocumentedList(t *testing.T) {
	const documented = "INFO  Available commands:\n" +
		"\t- stop\n" +
		"\t- help\n" +
		"\t- update [package|assets] NAME1, NAME2...\n" +
		"\t- install [package|assets] NAME1, NAME2...\n" +
		"\t- upload [package|assets] NAME\n" +
		"\t- add [package|assets] NAME\n" +
		"\t- check\n"
	if got := HelpText(); !strings.HasPrefix(got, documented) {
		t.Fatalf("help does not start with the documented list:\n%s", got)
	}
}

func TestHelpListsEveryCommandAndFlag(t *testing.T) {
	help := HelpText()
	for name, spec := range commandKinds {
		if !strings.Contains(help, "\t- "+spec.usage+"\n") {
			t.Errorf("command %s (%q) missing from help", name, spec.usage)
		}
	}
	for flag := range flagSpecs {
		if !strings.Contains(help, "--"+flag) {
			t.Errorf("flag --%s missing from help", flag)
		}
	}
}
