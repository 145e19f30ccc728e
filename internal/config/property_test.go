package config

import (
	"bytes"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// requireCanonical fails unless c renders to a file that parses back to the same file without a
// single log line: whatever Open accepted, the next start has nothing left to repair.
func requireCanonical(t *testing.T, c *Config, input any) {
	t.Helper()
	out := Render(c)
	rec, log := newRecorder()
	back, err := parse(out, FileName, &notes{log: log, prefix: FileName + ": "})
	if err != nil {
		t.Fatalf("input %q: rendered file does not parse: %v\n%s", input, err, out)
	}
	if msgs := rec.messages(slog.LevelInfo); len(msgs) > 0 {
		t.Fatalf("input %q: rendered file still logs %q", input, msgs)
	}
	if again := Render(back); !bytes.Equal(again, out) {
		t.Fatalf("input %q: rendering is not stable:\n%s", input, diffLines(string(again), string(out)))
	}
	checkInvariants(t, c)
}

// Deterministic mutations of the testdata files (a fixed seed, so failures reproduce): every
// mutant that is valid TOML ends in a canonical file.
func TestMutatedFilesBecomeCanonical(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.toml"))
	var corpus [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		corpus = append(corpus, b)
	}
	tokens := []string{"=", "[", "]", "\"", "'", "\n", ",", "{", "}", "1", "-1", "1.0", "true", "nan", "99999999999",
		"[server]\n", "[world]\n", "[custom_settings]\n", "tick_rate = 5\n", "port = 7778\n", "a.b = 1\n", "é",
		"\\u0000", "\"\"\"", "1979-05-27", "[[x]]\n", "#"}
	r := rand.New(rand.NewSource(1))
	iterations := 1500
	if testing.Short() {
		iterations = 300
	}
	for range iterations {
		b := append([]byte{}, corpus[r.Intn(len(corpus))]...)
		for range 1 + r.Intn(6) {
			p := r.Intn(len(b) + 1)
			switch r.Intn(4) {
			case 0:
				if p < len(b) {
					b[p] = byte(r.Intn(128))
				}
			case 1:
				b = append(b[:p:p], append([]byte(tokens[r.Intn(len(tokens))]), b[p:]...)...)
			case 2:
				b = append(b[:p:p], b[min(len(b), p+r.Intn(20)):]...)
			case 3:
				line := tokens[r.Intn(len(tokens))] + " = " + tokens[r.Intn(len(tokens))] + "\n"
				b = append(b[:p:p], append([]byte(line), b[p:]...)...)
			}
		}
		c, err := parse(b, FileName, &notes{log: discardLogger()})
		if err != nil {
			continue
		}
		requireCanonical(t, c, b)
	}
}

// Random command lines (fixed seed): every one that parses gives a valid, canonical configuration.
func TestRandomCommandLinesGiveValidConfig(t *testing.T) {
	var names []string
	for _, p := range params {
		names = append(names, "--"+p.name)
	}
	values := []string{"0", "1", "-1", "7777", "7778", "65536", "999999999999999999999", "abc", "a,b, a,,c",
		"x = 1, y = 'z'", "game", "playtest", "", " ", "::1", "é\xff", "true", "--x=1", "15", "128"}
	r := rand.New(rand.NewSource(1))
	valid := 0
	for range 2000 {
		var args []string
		for range 1 + r.Intn(8) {
			n := names[r.Intn(len(names))]
			switch r.Intn(3) {
			case 0:
				args = append(args, n)
			case 1:
				args = append(args, n, values[r.Intn(len(values))])
			case 2:
				args = append(args, n+"="+values[r.Intn(len(values))])
			}
		}
		a, err := ParseArgs(args)
		if err != nil {
			continue
		}
		valid++
		c := Default()
		a.apply(c, &notes{log: discardLogger()})
		requireCanonical(t, c, args)
	}
	if valid < 50 {
		t.Fatalf("only %d of the random command lines parsed; the generator is broken", valid)
	}
}
