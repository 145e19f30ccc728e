package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// The prompts of nanos world's `add package` (newest docs), kept word for word.
const (
	promptPackageTitle  = "Please enter the Package Title"
	promptPackageAuthor = "Please enter the Package Author"
	promptPackageType   = "Please enter the Package Type ('script', 'game-mode', 'map' or 'loading-screen')"
	promptAssetsTitle   = "Please enter the Asset Pack Title"
	promptAssetsAuthor  = "Please enter the Asset Pack Author"
)

// ask returns the flag's value when it was given (or --yes), else prompts.
func (s *session) ask(o *Options, flag, value, question, def string) (string, error) {
	if o.Given(flag) {
		return value, nil
	}
	if o.Yes {
		return def, nil
	}
	return s.prompt(question, def)
}

// add creates a new local package or asset pack with the newest descriptor template.
func (s *session) add(cmd *Command) error {
	o := &cmd.Opts
	lay, err := s.openServer(o)
	if err != nil {
		return err
	}
	name := cmd.Args[0]
	if err := manifest.CheckName(name); err != nil {
		hint := ""
		if sug := manifest.SuggestName(name); sug != "" && sug != name {
			hint = fmt.Sprintf(" (try %q)", sug)
		}
		return fmt.Errorf("%v%s", err, hint)
	}
	dest := lay.folder(cmd.Kind, name)
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists; pick another name or delete the folder first", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", dest, err)
	}

	files := map[string][]byte{}
	var what string
	if cmd.Kind == storeclient.Assets {
		title, err := s.ask(o, "title", o.Title, promptAssetsTitle, name)
		if err != nil {
			return err
		}
		author, err := s.ask(o, "author", o.Author, promptAssetsAuthor, "")
		if err != nil {
			return err
		}
		a, err := manifest.NewAssetPack(name, title, author)
		if err != nil {
			return err
		}
		files[manifest.AssetsFile] = a.Render()
		what = "asset pack"
	} else {
		title, err := s.ask(o, "title", o.Title, promptPackageTitle, name)
		if err != nil {
			return err
		}
		author, err := s.ask(o, "author", o.Author, promptPackageAuthor, "")
		if err != nil {
			return err
		}
		typ, err := s.ask(o, "type", o.Type, promptPackageType, string(manifest.KindGameMode))
		if err != nil {
			return err
		}
		kind, err := manifest.ParseKind(strings.TrimSpace(typ))
		if err != nil {
			return err
		}
		p, err := manifest.NewPackage(name, title, author, kind)
		if err != nil {
			return err
		}
		if kind != manifest.KindLoadingScreen && kind != manifest.KindCModule {
			p.CompatibilityVersion = manifest.NewestCompatVersion
		}
		files[manifest.PackageFile] = p.Render()
		for path, body := range starterFiles(name, kind) {
			files[path] = []byte(body)
		}
		what = string(kind) + " package"
	}
	busy, err := s.lockFolder(lay.lockPath)
	if err != nil {
		return err
	}
	defer busy.unlock()
	if err := writeNewFolder(dest, files); err != nil {
		return err
	}
	s.infof("Created %s %s in %s", what, name, relTo(lay.root, dest))
	return nil
}

// starterFiles are the files a new package gets besides Package.toml: entry points that run
// and say where each side's code goes. The name is written into the scripts as it is (names
// hold only lowercase letters, digits and '-', nothing a Lua string needs escaped);
// Package.GetName() would not do, as it returns the title under the template's
// compatibility_version.
func starterFiles(name string, kind manifest.Kind) map[string]string {
	switch {
	case kind.HasLua():
		return map[string]string{
			"Server/Index.lua": "-- Server side: runs only on the server and is never sent to players.\n" +
				"Console.Log(\"Package " + name + " loaded on the server\")\n",
			"Client/Index.lua": "-- Client side: sent to every player and run on their game.\n" +
				"Console.Log(\"Package " + name + " loaded on the client\")\n",
			"Shared/Index.lua": "-- Shared: runs on the server and on every client, before Server/Index.lua and Client/Index.lua.\n",
		}
	case kind == manifest.KindLoadingScreen:
		return map[string]string{
			"index.html": "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Loading</title></head>\n<body>\n<h1>Loading...</h1>\n</body>\n</html>\n",
		}
	}
	return nil
}

// writeNewFolder writes files into a temporary folder beside dest and renames it into place,
// so an interrupted `add` leaves no half-made package behind.
func writeNewFolder(dest string, files map[string][]byte) error {
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, prefixNew+filepath.Base(dest)+"-")
	if err != nil {
		return fmt.Errorf("creating a folder in %s: %w", parent, err)
	}
	for rel, body := range files {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("creating %s: %w", filepath.Dir(p), err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("writing %s: %w", p, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("creating %s: %w", dest, err)
	}
	return nil
}
