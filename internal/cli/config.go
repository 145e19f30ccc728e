package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

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

// configToken returns Config.toml's [general] token, or "" when the file does not exist. It
// never creates the file: commands that only talk to the Store should not litter the current
// folder.
func configToken(root string) (string, error) {
	if _, err := os.Stat(filepath.Join(root, config.FileName)); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	c, err := config.Open(root, nil, nil)
	if err != nil {
		return "", err
	}
	return c.General.Token, nil
}
