package config

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// customPrefix wraps --custom_settings text into a one-key TOML document so that the decoder
// parses it as the body of an inline table.
const customPrefix = "custom_settings = {"

// ParseCustomSettings parses the text of --custom_settings: TOML key/value pairs separated by
// commas, as in an inline table without its braces, e.g. "max_props = 1000, enable_pvp = true,
// motd = 'welcome!'". Keys keep the order they were written in. The empty string gives no
// settings. Errors are *ParseError values whose column points into s.
func ParseCustomSettings(s string) (CustomSettings, error) {
	body := strings.TrimSpace(s)
	// Shells and panels often leave a trailing comma after the last pair.
	body = strings.TrimSuffix(body, ",")
	if strings.TrimSpace(body) == "" {
		return CustomSettings{}, nil
	}
	if strings.ContainsAny(body, "\n\r") {
		return nil, &ParseError{File: "--custom_settings", Line: 1, Column: strings.IndexAny(body, "\n\r") + 1,
			Reason: "line breaks are not allowed: separate the settings with commas"}
	}
	if off := checkNesting(body); off >= 0 {
		return nil, nestingError("--custom_settings", body, off)
	}
	doc := customPrefix + body + "}"
	raw := map[string]any{}
	md, err := toml.Decode(doc, &raw)
	if err != nil {
		pe := newParseError(err, "--custom_settings", doc, len(customPrefix))
		// Point into the operator's text, not into the braces added around it.
		if pe.Line == 1 && pe.Column > len(body) {
			pe.Column = len(body) + 1
			pe.Reason = strings.ReplaceAll(pe.Reason, "'}'", "the end of the text")
		}
		if pe.Line == 1 {
			pe.Context = body + "\n" + strings.Repeat(" ", pe.Column-1) + "^"
		}
		return nil, pe
	}
	table, ok := raw["custom_settings"].(map[string]any)
	if !ok || len(raw) != 1 {
		// Text such as "a = 1}, b = {" closes the table early and adds keys outside it.
		return nil, &ParseError{File: "--custom_settings", Line: 1, Column: 1,
			Reason: fmt.Sprintf("%q is not a comma-separated list of key = value pairs", s)}
	}
	return orderedTable(table, keyOrder(md).child("custom_settings")), nil
}
