package lib

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestConfinePath(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "Packages", "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "Packages"), filepath.Join(root, "inner")); err != nil {
		t.Fatal(err)
	}
	realRoot, _ := filepath.EvalSymlinks(root)
	tests := []struct {
		in   string
		want string // relative to root; "" means an error is expected
		err  string
	}{
		{"data.json", "data.json", ""},
		{"Packages/a/../a/x.txt", "Packages/a/x.txt", ""},
		{"Packages\\a\\x.txt", "Packages/a/x.txt", ""},
		{"new/dir/file", "new/dir/file", ""},
		{".", ".", ""},
		{"inner/a/f", "Packages/a/f", ""},
		{"../secret", "", "leaves the server folder"},
		{"Packages/../../secret", "", "leaves the server folder"},
		{"/etc/passwd", "", "absolute"},
		{"C:\\Windows", "", "absolute"},
		{"escape/file", "", "symbolic link"},
		{"escape", "", "symbolic link"},
	}
	for _, tt := range tests {
		got, err := ConfinePath(root, tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), strconv.Quote(tt.in)) {
				t.Errorf("ConfinePath(%q) = %q, %v; want an error containing %q and the path", tt.in, got, err, tt.err)
			}
			continue
		}
		want := filepath.Join(realRoot, filepath.FromSlash(tt.want))
		if err != nil || got != want {
			t.Errorf("ConfinePath(%q) = %q, %v; want %q", tt.in, got, err, want)
		}
	}
	if _, err := ConfinePath("", "x"); err == nil {
		t.Error("ConfinePath with no root succeeded")
	}
}

func TestFileHandle(t *testing.T) {
	root := t.TempDir()
	h := OpenFile(root, "notes.txt", false)
	if !h.IsGood() || h.Err() != nil {
		t.Fatalf("open: good=%v err=%v", h.IsGood(), h.Err())
	}
	h.Write("line one\r\nline two\nlast")
	if h.Tell() != 23 || h.Size() != 23 {
		t.Fatalf("after write: tell=%d size=%d", h.Tell(), h.Size())
	}
	h.SeekTo(0)
	if got := h.ReadLine(); got != "line one" {
		t.Errorf("ReadLine 1 = %q", got)
	}
	if got := h.ReadLine(); got != "line two" {
		t.Errorf("ReadLine 2 = %q", got)
	}
	if got := h.ReadLine(); got != "last" || !h.IsEOF() || h.HasFailed() {
		t.Errorf("ReadLine 3 = %q eof=%v failed=%v", got, h.IsEOF(), h.HasFailed())
	}
	if got := h.ReadLine(); got != "" || !h.HasFailed() || h.IsGood() {
		t.Errorf("ReadLine past end = %q failed=%v good=%v", got, h.HasFailed(), h.IsGood())
	}
	h.SeekTo(5)
	if h.IsEOF() || !h.IsGood() {
		t.Error("Seek did not clear eof")
	}
	if got := h.Read(3); got != "one" || h.Tell() != 8 {
		t.Errorf("Read(3) = %q tell=%d", got, h.Tell())
	}
	h.Skip(2)
	if got := h.Read(4); got != "line" {
		t.Errorf("Read after Skip = %q", got)
	}
	if got := h.Read(1 << 50); got != " two\nlast" || !h.IsEOF() || !h.HasFailed() {
		t.Errorf("short Read = %q eof=%v", got, h.IsEOF())
	}
	if got := h.Read(0); got != "line one\r\nline two\nlast" || h.Tell() != 23 {
		t.Errorf("Read(0) = %q tell=%d", got, h.Tell())
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if h.Read(1) != "" || !h.IsBad() || !h.HasFailed() || !strings.Contains(h.Err().Error(), "closed") {
		t.Errorf("read after close: bad=%v err=%v", h.IsBad(), h.Err())
	}

	// truncate empties an existing file
	h2 := OpenFile(root, "notes.txt", true)
	if h2.Size() != 0 {
		t.Errorf("truncate: size = %d", h2.Size())
	}
	h2.Close()

	bad := OpenFile(root, "../outside.txt", false)
	if !bad.IsBad() || bad.IsGood() || !strings.Contains(bad.Err().Error(), "../outside.txt") {
		t.Errorf("escaping path: bad=%v err=%v", bad.IsBad(), bad.Err())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "outside.txt")); err == nil {
		t.Error("a file was created outside the server folder")
	}
	dir := OpenFile(root, ".", false)
	if !dir.IsBad() {
		t.Error("opening a directory gave a usable handle")
	}
	missingDir := OpenFile(root, "nope/x.txt", false)
	if !missingDir.IsBad() {
		t.Error("opening in a missing directory gave a usable handle")
	}
}

func TestFileStatics(t *testing.T) {
	root := t.TempDir()
	if err := CreateDirectory(root, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a/x.lua", "a/b/y.lua", "a/b/c/z.txt", "top.lua"} {
		if err := os.WriteFile(filepath.Join(root, p), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if ex, dir, reg, err := StatPath(root, "a/b"); !ex || !dir || reg || err != nil {
		t.Errorf("StatPath(a/b) = %v %v %v %v", ex, dir, reg, err)
	}
	if ex, dir, reg, err := StatPath(root, "a/x.lua"); !ex || dir || !reg || err != nil {
		t.Errorf("StatPath(a/x.lua) = %v %v %v %v", ex, dir, reg, err)
	}
	if ex, _, _, err := StatPath(root, "missing"); ex || err != nil {
		t.Errorf("StatPath(missing) = %v %v", ex, err)
	}
	if _, _, _, err := StatPath(root, "../x"); err == nil {
		t.Error("StatPath(../x) succeeded")
	}
	if tm, err := FileTime(root, "top.lua"); err != nil || tm <= 0 {
		t.Errorf("FileTime = %d, %v", tm, err)
	}

	files, _ := ListPaths(root, "", false, "", -1)
	if want := []string{"a/b/c/z.txt", "a/b/y.lua", "a/x.lua", "top.lua"}; !reflect.DeepEqual(files, want) {
		t.Errorf("all files = %v, want %v", files, want)
	}
	files, _ = ListPaths(root, "a", false, ".lua", -1)
	if want := []string{"a/b/y.lua", "a/x.lua"}; !reflect.DeepEqual(files, want) {
		t.Errorf(".lua files under a = %v, want %v", files, want)
	}
	files, _ = ListPaths(root, "a", false, "lua", 0)
	if want := []string{"a/x.lua"}; !reflect.DeepEqual(files, want) {
		t.Errorf("depth-0 files under a = %v, want %v", files, want)
	}
	dirs, _ := ListPaths(root, "", true, "", -1)
	if want := []string{"a", "a/b", "a/b/c"}; !reflect.DeepEqual(dirs, want) {
		t.Errorf("dirs = %v, want %v", dirs, want)
	}
	dirs, _ = ListPaths(root, "", true, "", 1)
	if want := []string{"a", "a/b"}; !reflect.DeepEqual(dirs, want) {
		t.Errorf("depth-1 dirs = %v, want %v", dirs, want)
	}
	if _, err := ListPaths(root, "..", false, "", -1); err == nil {
		t.Error("ListPaths(..) succeeded")
	}

	if err := RenamePath(root, "top.lua", "a/moved.lua"); err != nil {
		t.Fatal(err)
	}
	if err := RenamePath(root, "a/moved.lua", "../stolen.lua"); err == nil {
		t.Error("rename out of the server folder succeeded")
	}
	n, err := RemovePath(root, "a/b")
	if err != nil || n != 4 { // b, y.lua, c, z.txt
		t.Errorf("RemovePath(a/b) = %d, %v; want 4", n, err)
	}
	if n, err := RemovePath(root, "a/b"); n != 0 || err != nil {
		t.Errorf("RemovePath(missing) = %d, %v", n, err)
	}
	if _, err := RemovePath(root, "."); err == nil {
		t.Error("removing the server folder succeeded")
	}
	if _, err := RemovePath(root, "../"); err == nil {
		t.Error("removing outside the server folder succeeded")
	}
}

func TestFileHandleLongLines(t *testing.T) {
	root := t.TempDir()
	long := strings.Repeat("a", 10000)
	if err := os.WriteFile(filepath.Join(root, "long.txt"), []byte(long+"\n\nb"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := OpenFile(root, "long.txt", false)
	defer h.Close()
	if got := h.ReadLine(); got != long {
		t.Fatalf("ReadLine of a 10000-byte line returned %d bytes", len(got))
	}
	if got := h.ReadLine(); got != "" || h.HasFailed() {
		t.Fatalf("empty line = %q failed=%v", got, h.HasFailed())
	}
	if got := h.ReadLine(); got != "b" || !h.IsEOF() || h.HasFailed() {
		t.Fatalf("last line = %q eof=%v failed=%v", got, h.IsEOF(), h.HasFailed())
	}
}
