package script

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
)

// Persistent data lives in Packages/.data/<package>.toml under the server folder, where it
// survives package updates. Older packages kept it in PersistentData.toml inside their own
// folder; that file is read when the new one does not exist yet.

// persistPath is the persistent data file of package name.
func persistPath(serverDir, name string) string {
	return filepath.Join(serverDir, "Packages", ".data", name+".toml")
}

// loadPersistent reads the persistent data of package name. A missing file is empty data.
func loadPersistent(serverDir, pkgDir, name string) (map[string]any, error) {
	path := persistPath(serverDir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && pkgDir != "" {
		path = filepath.Join(pkgDir, "PersistentData.toml")
		b, err = os.ReadFile(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading persistent data of package %q: %w", name, err)
	}
	return decodePersistent(path, b)
}

// decodePersistent parses a persistent data file into plain values (no time types: dates are
// kept as their TOML text, which is what Lua can hold).
func decodePersistent(path string, b []byte) (map[string]any, error) {
	m := map[string]any{}
	if _, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w (fix or delete the file; the package starts with empty persistent data until then)", path, err)
	}
	return normalizePersistent(m).(map[string]any), nil
}

func normalizePersistent(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizePersistent(e)
		}
		return x
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizePersistent(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = normalizePersistent(e)
		}
		return x
	case time.Time:
		return x.Format(time.RFC3339Nano)
	default:
		return v
	}
}

// savePersistent writes the persistent data of package name atomically (temporary file, then
// rename), creating Packages/.data when needed.
func savePersistent(serverDir, name string, data map[string]any) error {
	path := persistPath(serverDir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("saving persistent data of package %q: %w", name, err)
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(data); err != nil {
		return fmt.Errorf("saving persistent data of package %q: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+name+"-*.tmp")
	if err != nil {
		return fmt.Errorf("saving persistent data of package %q: %w", name, err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving persistent data of package %q to %s: %w", name, path, werr)
	}
	return nil
}
