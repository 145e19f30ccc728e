package script

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// enumsJSON is Enums.json of the official nanos world API definitions: every enum as
// {description, enums: [{key, value}]}, values written as Lua expressions ("1 << 2").
//
//go:embed enums.json
var enumsJSON []byte

// enumValue accepts the integer expressions the API file uses and nothing else, so the
// generated chunk can only define constants.
var enumValue = regexp.MustCompile(`^[0-9()<>| \-+]+$`)

var enumName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// enumsSource returns a Lua chunk that defines every enum as a global table of integers.
func enumsSource(data []byte) (string, error) {
	var enums map[string]struct {
		Enums []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"enums"`
	}
	if err := json.Unmarshal(data, &enums); err != nil {
		return "", fmt.Errorf("enums.json: %w", err)
	}
	names := make([]string, 0, len(enums))
	for name := range enums {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		if !enumName.MatchString(name) {
			return "", fmt.Errorf("enums.json: enum name %q is not a Lua identifier", name)
		}
		fmt.Fprintf(&b, "%s = {", name)
		for _, e := range enums[name].Enums {
			if !enumName.MatchString(e.Key) {
				return "", fmt.Errorf("enums.json: %s key %q is not a Lua identifier", name, e.Key)
			}
			if !enumValue.MatchString(e.Value) {
				return "", fmt.Errorf("enums.json: %s.%s value %q is not an integer expression", name, e.Key, e.Value)
			}
			fmt.Fprintf(&b, " %s = %s,", e.Key, e.Value)
		}
		b.WriteString(" }\n")
	}
	return b.String(), nil
}
