package config

import (
	"strings"
)

// valueColumn is where values start in the canonical template: 4 spaces of indentation plus the
// longest key ("max_file_transfer_rate =") plus one space.
const valueColumn = 29

// Render returns c as Config.toml in the canonical layout: the sections, keys, order and comments of
// the official template, values aligned in one column, followed by the custom settings as written.
// Command-line-only settings (Run) are not part of the file.
func Render(c *Config) []byte {
	b := make([]byte, 0, 6144)
	for i, sec := range sections {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, sec.comment...)
		b = append(b, "\n["...)
		b = append(b, sec.name...)
		b = append(b, "]\n"...)
		if sec.name == "custom_settings" {
			b = append(b, "    # my_setting_01 = \"value\"\n    # my_setting_02 = 123\n"...)
			for _, s := range c.CustomSettings {
				start := len(b)
				b = append(b, "    "...)
				b = appendKey(b, s.Key)
				b = append(b, " ="...)
				b = pad(b, start)
				b = appendValue(b, s.Value)
				b = append(b, '\n')
			}
			continue
		}
		for _, k := range keys {
			if k.section != sec.name {
				continue
			}
			b = append(b, "    # "...)
			b = append(b, k.comment...)
			b = append(b, "\n    "...)
			start := len(b) - 4
			b = append(b, k.name...)
			b = append(b, " ="...)
			switch p := k.field(c).(type) {
			case *[]string:
				// Lists are written one entry per line, as the template's empty "[\n\n    ]".
				b = append(b, " [\n"...)
				if len(*p) == 0 {
					b = append(b, '\n')
				}
				for _, e := range *p {
					b = append(b, "        "...)
					b = appendString(b, e)
					b = append(b, ",\n"...)
				}
				b = append(b, "    ]\n"...)
				continue
			case *string:
				b = pad(b, start)
				b = appendString(b, *p)
			case *int:
				b = pad(b, start)
				b = appendValue(b, *p)
			case *bool:
				b = pad(b, start)
				b = appendValue(b, *p)
			}
			b = append(b, '\n')
		}
	}
	return b
}

// pad appends spaces so that the value of the line starting at start begins at valueColumn, with
// at least one space after "=".
func pad(b []byte, start int) []byte {
	n := valueColumn - (len(b) - start)
	if n < 1 {
		n = 1
	}
	return append(b, strings.Repeat(" ", n)...)
}
