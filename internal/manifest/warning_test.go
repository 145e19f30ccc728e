package manifest

import "testing"

func TestLocateKeys(t *testing.T) {
	src := "# comment\r\n" +
		"top = 1\r\n" +
		"[meta]\r\n" +
		"\ttitle = \"x\"\r\n" +
		"  \"quoted key\" = 2\r\n" +
		"[ game_mode ]\n" +
		"a.b = 3\n" +
		"text = \"\"\"\n" +
		"fake = 4\n" +
		"\"\"\"\n" +
		"after = 5\n" +
		"[custom_settings]\n" +
		"pvp = { type = \"boolean\" }\n" +
		"[[arr.tbl]]\n" +
		"x = 1\n" +
		"[assets . 'static_meshes']\n" +
		"SM = \"p\"\n" +
		"not a key line\n" +
		"[broken\n" +
		"'unterminated = 1\n"
	k := locateKeys([]byte(src))
	tests := []struct {
		key       string
		line, col int
	}{
		{"top", 2, 1},
		{"meta", 3, 1},
		{"meta.title", 4, 2},
		{"meta.quoted key", 5, 3},
		{"game_mode", 6, 1},
		{"game_mode.a.b", 7, 1},
		{"game_mode.text", 8, 1},
		{"game_mode.after", 11, 1},
		{"custom_settings.pvp", 13, 1},
		{"arr.tbl.x", 15, 1},
		{"assets.static_meshes.SM", 17, 1},
		// fallbacks: the first child of a dotted-key table, then the parent
		{"game_mode.a", 7, 1},
		{"custom_settings.pvp.type", 13, 1},
		{"nothing", 0, 0},
	}
	for _, tt := range tests {
		if got := k.find(tt.key); got != [2]int{tt.line, tt.col} {
			t.Errorf("%s at %v, want %d:%d", tt.key, got, tt.line, tt.col)
		}
	}
	if got := locateKeys([]byte("\ufeff[meta]\ntitle = 1\n")).find("meta.title"); got != [2]int{2, 1} {
		t.Errorf("with a BOM: meta.title at %v", got)
	}
	if _, ok := k["game_mode.fake"]; ok {
		t.Error("a line inside a multi-line string was taken as a key")
	}
}
