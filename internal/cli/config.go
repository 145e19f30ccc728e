package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/logging"
)

// openConfig loads the server folder's Config.toml, creating it with the defaults when it is
// missing, as the first run of nanos world's CLI does. Its notices (created, repaired keys)
// are printed like the server's.
func (s *session) openConfig(root string) (*config.Config, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	log := logging.NewOutput(s.out, nil, 1).Logger()
	return config.Open(root, nil, log)
}

// configToken returns the Store token of the server folder's Config.toml, or "" when there is
// no file or no token. It only reads: commands that merely ask the Store something must not
// create or rewrite files. The token sits in [general]; Config.toml files of 2022 kept it in
// [world], which is read too.
func configToken(root string) (string, error) {
	path := filepath.Join(root, config.FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	var doc struct {
		General struct {
			Token any `toml:"token"`
		} `toml:"general"`
		World struct {
			Token any `toml:"token"`
		} `toml:"world"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return "", fmt.Errorf("%s: %v; fix the file or pass the token with --token", path, err)
	}
	for _, v := range []any{doc.General.Token, doc.World.Token} {
		if s, ok := v.(string); ok && s != "" {
			return s, nil
		}
	}
	return "", nil
}
