package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// target is one release to put in place.
type target struct {
	item      storeclient.ResolvedItem
	dest      string
	exists    bool
	unmanaged bool // the folder exists but the lock does not know it
	changes   Changes
	requested bool
	zipPath   string
}

func (t *target) label() string {
	return fmt.Sprintf("%s %s %s", t.item.Kind.Singular(), t.item.Name, t.item.Version)
}

// normalizeChannel maps --channel to the resolve API's spelling.
func normalizeChannel(c string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "", "stable":
		return storeclient.ChannelStable, nil
	case "beta":
		return storeclient.ChannelBeta, nil
	case "alpha":
		return storeclient.ChannelAlpha, nil
	}
	return "", usagef("unknown channel %q: use --channel beta or --channel alpha (stable is the default)", c)
}

// workspace is what an install-like command works on.
type workspace struct {
	lay    layout
	lock   *Lock
	client *storeclient.Client
	busy   *folderLock
}

// close releases the server folder for other CLIs.
func (w *workspace) close() { w.busy.unlock() }

func (s *session) workspace(o *Options, needToken bool) (*workspace, error) {
	lay, err := s.openServer(o)
	if err != nil {
		return nil, err
	}
	c, err := s.client(o, lay.root, needToken)
	if err != nil {
		return nil, err
	}
	busy, err := s.lockFolder(lay.lockPath)
	if err != nil {
		return nil, err
	}
	// Read the lock file only once the folder is ours: another CLI may just have written it.
	lock, err := ReadLock(lay.lockPath)
	if err != nil {
		busy.unlock()
		return nil, err
	}
	s.recoverLeftovers(lay, lock)
	return &workspace{lay: lay, lock: lock, client: c, busy: busy}, nil
}

// openResolve opens the workspace and starts a resolve request on the command's --channel.
// The caller closes the workspace.
func (s *session) openResolve(cmd *Command) (*workspace, storeclient.ResolveRequest, error) {
	ws, err := s.workspace(&cmd.Opts, false)
	if err != nil {
		return nil, storeclient.ResolveRequest{}, err
	}
	channel, err := normalizeChannel(cmd.Opts.Channel)
	if err != nil {
		ws.close()
		return nil, storeclient.ResolveRequest{}, err
	}
	return ws, storeclient.ResolveRequest{Channel: channel}, nil
}

// installNames installs (or with update, updates) the named resources and their requirements.
func (s *session) installNames(ctx context.Context, cmd *Command, update bool) error {
	ws, req, err := s.openResolve(cmd)
	if err != nil {
		return err
	}
	defer ws.close()
	if cmd.Kind == storeclient.Assets {
		req.Assets = cmd.Args
	} else {
		req.Packages = cmd.Args
	}
	return s.resolveAndInstall(ctx, cmd, ws, req, update)
}

// update updates the named resources, or every resource installed by name when none is given.
func (s *session) update(ctx context.Context, cmd *Command) error {
	if len(cmd.Args) > 0 {
		return s.installNames(ctx, cmd, true)
	}
	ws, req, err := s.openResolve(cmd)
	if err != nil {
		return err
	}
	defer ws.close()
	for _, r := range ws.lock.Resources {
		if !r.Requested {
			continue
		}
		if r.Kind == storeclient.Assets {
			req.Assets = append(req.Assets, r.Name)
		} else {
			req.Packages = append(req.Packages, r.Name)
		}
	}
	if len(req.Assets)+len(req.Packages) == 0 {
		s.infof("Nothing to update: %s lists no installed resources", ws.lay.lockPath)
		return nil
	}
	return s.resolveAndInstall(ctx, cmd, ws, req, true)
}

func (s *session) resolveAndInstall(ctx context.Context, cmd *Command, ws *workspace, req storeclient.ResolveRequest, update bool) error {
	items, err := ws.client.Resolve(ctx, req)
	if err != nil {
		return fmt.Errorf("resolving %s: %w", strings.Join(append(append([]string{}, req.Packages...), req.Assets...), ", "), err)
	}
	var targets []*target
	promoted := false
	for _, it := range items {
		if it.Kind != storeclient.Packages && it.Kind != storeclient.Assets {
			return fmt.Errorf("the Store resolved %q to an unknown kind %q; update nanoforge", it.Name, it.Kind)
		}
		if !validFolderName(it.Name) || manifest.CheckName(it.Name) != nil {
			return fmt.Errorf("the Store resolved an invalid name %q; refusing to install it", it.Name)
		}
		if len(it.SHA256) != 64 {
			return fmt.Errorf("the Store gave no SHA-256 for %s %s %s; refusing to install an unverifiable archive", it.Kind.Singular(), it.Name, it.Version)
		}
		t := &target{item: it, dest: ws.lay.folder(it.Kind, it.Name), requested: it.Requested}
		locked := ws.lock.Find(it.Kind, it.Name)
		if locked != nil && locked.Requested {
			t.requested = true
		}
		skip, err := s.inspect(t, locked, cmd, update)
		if err != nil {
			return err
		}
		if !skip {
			targets = append(targets, t)
		} else if locked != nil && it.Requested && !locked.Requested {
			// Named now, pulled in as a requirement before: `update` with no names follows it.
			locked.Requested = true
			promoted = true
		}
	}
	if err := s.apply(ctx, cmd, ws, targets); err != nil {
		return err
	}
	if promoted && len(targets) == 0 {
		return ws.lock.Write(ws.lay.lockPath)
	}
	return nil
}

// inspect looks at what is on disk for t and decides whether it needs installing.
func (s *session) inspect(t *target, locked *LockedRelease, cmd *Command, update bool) (skip bool, err error) {
	st, err := os.Stat(t.dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("checking %s: %w", t.dest, err)
	case !st.IsDir():
		return false, fmt.Errorf("%s is a file, not a folder; move it away and try again", t.dest)
	}
	t.exists = true
	current, err := HashTree(t.dest)
	if err != nil {
		return false, err
	}
	if locked == nil {
		t.unmanaged = true
		for p := range current {
			t.changes.Added = append(t.changes.Added, p)
		}
		if !t.item.Requested && !update {
			s.infof("Keeping local %s %s (not installed from the Store) as the requirement", t.item.Kind.Singular(), t.item.Name)
			return true, nil
		}
		return false, nil
	}
	t.changes = Compare(locked.Files, current)
	same := locked.Version == t.item.Version && strings.EqualFold(locked.SHA256, t.item.SHA256)
	switch {
	case same && t.changes.Empty():
		s.infof("%s %s %s is already installed and unchanged", capitalize(t.item.Kind.Singular()), t.item.Name, t.item.Version)
		return true, nil
	case same && !cmd.Opts.Force:
		s.warnf("%s %s %s is installed but changed locally (%s); run with --force to restore the original files", capitalize(t.item.Kind.Singular()), t.item.Name, t.item.Version, t.changes)
		return true, nil
	case !same && !t.item.Requested && !update:
		s.infof("Keeping installed %s %s %s (requirement; `update` moves it to %s)", t.item.Kind.Singular(), t.item.Name, locked.Version, t.item.Version)
		return true, nil
	}
	return false, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// confirmChanges warns about local changes the targets would discard and asks whether to go on.
func (s *session) confirmChanges(o *Options, targets []*target, verb string) error {
	var changed []*target
	for _, t := range targets {
		if t.exists && !t.changes.Empty() {
			changed = append(changed, t)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	for _, t := range changed {
		if t.unmanaged {
			s.warnf("%s was not installed by nanoforge; %s it discards its %d files", t.dest, verb, len(t.changes.Added))
		} else {
			s.warnf("%s has local changes: %s", t.dest, t.changes)
		}
	}
	if o.Force {
		s.warnf("--force given: the local changes will be lost")
		return nil
	}
	if !s.canAsk() {
		return fmt.Errorf("refusing to overwrite local changes in %s; run again with --force to replace them", joinDests(changed))
	}
	ok, err := s.confirm(o, fmt.Sprintf("Discard these local changes and continue %s?", verb), false)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("stopped: nothing was changed")
	}
	return nil
}

func joinDests(ts []*target) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.dest)
	}
	return strings.Join(names, ", ")
}

// apply downloads every target, verifies it, then swaps each into place.
func (s *session) apply(ctx context.Context, cmd *Command, ws *workspace, targets []*target) error {
	if len(targets) == 0 {
		return nil
	}
	if err := s.confirmChanges(&cmd.Opts, targets, "installing"); err != nil {
		return err
	}
	defer func() {
		for _, t := range targets {
			if t.zipPath != "" {
				os.Remove(t.zipPath)
			}
		}
	}()
	// Fetch and verify everything before touching any installed folder, so a bad download
	// changes nothing.
	if err := s.downloadAll(ctx, ws, targets); err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	var done []string
	for i, t := range targets {
		if err := s.place(ws, t); err != nil {
			var rest []string
			for _, r := range targets[i+1:] {
				rest = append(rest, r.item.Name)
			}
			msg := fmt.Sprintf("installing %s: %v", t.label(), err)
			if len(done) > 0 {
				msg += "; already installed: " + strings.Join(done, ", ")
			}
			if len(rest) > 0 {
				msg += "; not installed: " + strings.Join(rest, ", ")
			}
			return errors.New(msg)
		}
		done = append(done, t.item.Name)
		s.infof("Installed %s into %s", t.label(), relTo(ws.lay.root, t.dest))
	}
	return ws.lock.Write(ws.lay.lockPath)
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// parallelDownloads is how many archives are fetched at once: enough to hide the latency of a
// distant Store, few enough not to starve each other of bandwidth.
const parallelDownloads = 4

// downloadAll fetches every target's archive, a few at a time, each with its own progress bar.
// The first failure cancels the others and is the one reported.
func (s *session) downloadAll(ctx context.Context, ws *workspace, targets []*target) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := s.newProgress()
	sem := make(chan struct{}, parallelDownloads)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, t := range targets {
		wg.Add(1)
		go func(t *target) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			if err := s.download(ctx, ws, prog, t); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}(t)
	}
	wg.Wait()
	prog.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// download fetches t's archive into a temporary file beside its destination.
func (s *session) download(ctx context.Context, ws *workspace, prog progress, t *target) error {
	parent := ws.lay.parent(t.item.Kind)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	f, err := os.CreateTemp(parent, prefixDownload+t.item.Name+"-*.zip")
	if err != nil {
		return fmt.Errorf("creating a download file in %s: %w", parent, err)
	}
	t.zipPath = f.Name()
	b := prog.Bar("Downloading "+t.label(), t.item.Size)
	_, err = ws.client.Download(ctx, storeclient.DownloadRequest{
		URL: t.item.DownloadURL, SHA256: t.item.SHA256, Size: t.item.Size, Progress: b.Set,
	}, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing %s: %w", f.Name(), cerr)
	}
	b.Done(err)
	if err != nil {
		return fmt.Errorf("downloading %s: %w", t.label(), err)
	}
	return nil
}

// place unpacks t beside its destination and swaps it in; the previous folder comes back if
// anything fails, and the lock is written before the old folder is deleted.
func (s *session) place(ws *workspace, t *target) error {
	parent := filepath.Dir(t.dest)
	fresh, err := os.MkdirTemp(parent, prefixNew+t.item.Name+"-")
	if err != nil {
		return fmt.Errorf("creating a folder in %s: %w", parent, err)
	}
	cleanupFresh := true
	defer func() {
		if cleanupFresh {
			os.RemoveAll(fresh)
		}
	}()
	ext, err := ExtractZip(t.zipPath, fresh, DefaultLimits)
	if err != nil {
		return err
	}
	if err := checkUnpacked(fresh, t.item); err != nil {
		return err
	}
	var aside string
	if t.exists {
		aside = filepath.Join(parent, fmt.Sprintf("%s%s-%d", prefixOld, t.item.Name, time.Now().UnixNano()))
		if err := os.Rename(t.dest, aside); err != nil {
			return fmt.Errorf("moving the installed %s aside: %w (is a server or editor using it?)", t.dest, err)
		}
	}
	restore := func() {
		if aside != "" {
			os.Rename(aside, t.dest)
		}
	}
	if err := os.Rename(fresh, t.dest); err != nil {
		restore()
		return fmt.Errorf("moving the new files to %s: %w", t.dest, err)
	}
	cleanupFresh = false
	ws.lock.Store = ws.client.BaseURL()
	prev := ws.lock.Find(t.item.Kind, t.item.Name)
	var prevCopy *LockedRelease
	if prev != nil {
		c := *prev
		prevCopy = &c
	}
	ws.lock.Put(LockedRelease{
		Kind: t.item.Kind, Name: t.item.Name, Version: t.item.Version, Channel: strings.ToLower(t.item.Channel),
		SHA256: strings.ToLower(t.item.SHA256), Size: t.item.Size, URL: t.item.DownloadURL,
		Requested: t.requested, PackagesRequirements: t.item.PackagesRequirements,
		AssetsRequirements: t.item.AssetsRequirements, InstalledAt: time.Now().UTC().Truncate(time.Second),
		Files: ext.Files,
	})
	if err := ws.lock.write(ws.lay.lockPath, false); err != nil {
		// Put the old state back on disk and in memory: the lock must describe the folders.
		os.RemoveAll(t.dest)
		restore()
		if prevCopy != nil {
			ws.lock.Put(*prevCopy)
		} else {
			ws.lock.Remove(t.item.Kind, t.item.Name)
		}
		return err
	}
	if aside != "" {
		if err := os.RemoveAll(aside); err != nil {
			s.warnf("could not delete the previous version kept at %s: %v; delete it by hand", aside, err)
		}
	}
	return nil
}

// checkUnpacked makes sure an unpacked release is what it claims to be before it replaces
// anything: the descriptor sits at the root, parses, and carries the resolved version.
func checkUnpacked(dir string, it storeclient.ResolvedItem) error {
	file := manifest.PackageFile
	if it.Kind == storeclient.Assets {
		file = manifest.AssetsFile
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return fmt.Errorf("the archive of %s %s %s has no %s at its root; it cannot be installed (report it to its authors)", it.Kind.Singular(), it.Name, it.Version, file)
	}
	var version string
	label := it.Name + "/" + file
	if it.Kind == storeclient.Assets {
		a, _, err := manifest.ParseAssets(data, label)
		if err != nil {
			return fmt.Errorf("the release's %v", err)
		}
		version = a.Version
	} else {
		p, _, err := manifest.ParsePackage(data, label)
		if err != nil {
			return fmt.Errorf("the release's %v", err)
		}
		version = p.Version
	}
	if version != "" && version != it.Version {
		return fmt.Errorf("%s says version %q but the Store resolved %s; refusing a mismatched archive", label, version, it.Version)
	}
	return nil
}

// installFromLock installs exactly what the lock file lists, verifying every archive against
// the recorded SHA-256: the way to rebuild a server elsewhere.
func (s *session) installFromLock(ctx context.Context, cmd *Command) error {
	ws, err := s.workspace(&cmd.Opts, false)
	if err != nil {
		return err
	}
	defer ws.close()
	if len(ws.lock.Resources) == 0 {
		return usagef("nothing to install: %s lists no resources; name them, e.g. `install package NAME`", ws.lay.lockPath)
	}
	// On another machine nothing else says where the server's resources came from: without
	// --store or the environment variable, the Store recorded in the lock file is used.
	if s.storeAddr(&cmd.Opts) == "" && ws.lock.Store != "" {
		root := ws.lay.root
		c, err := s.clientAt(ws.lock.Store, &cmd.Opts, root, false)
		if err != nil {
			return fmt.Errorf("%s: store %q: %w", ws.lay.lockPath, ws.lock.Store, err)
		}
		ws.client = c
		s.infof("Installing from the Store recorded in %s: %s", relTo(root, ws.lay.lockPath), ws.lock.Store)
	}
	var targets []*target
	for _, r := range ws.lock.Resources {
		it := storeclient.ResolvedItem{
			Kind: r.Kind, Name: r.Name, Version: r.Version, Channel: r.Channel, SHA256: r.SHA256, Size: r.Size,
			DownloadURL: ws.client.DownloadURL(r.Kind, r.Name, r.Version), Requested: r.Requested,
			PackagesRequirements: r.PackagesRequirements, AssetsRequirements: r.AssetsRequirements,
		}
		t := &target{item: it, dest: ws.lay.folder(r.Kind, r.Name), requested: r.Requested}
		locked := r
		skip, err := s.inspect(t, &locked, cmd, true)
		if err != nil {
			return err
		}
		if !skip {
			targets = append(targets, t)
		}
	}
	// Requirements before dependents: asset packs, then packages in lock order.
	ordered := make([]*target, 0, len(targets))
	for _, k := range []storeclient.Kind{storeclient.Assets, storeclient.Packages} {
		for _, t := range targets {
			if t.item.Kind == k {
				ordered = append(ordered, t)
			}
		}
	}
	return s.apply(ctx, cmd, ws, ordered)
}

// uninstall removes installed resources and their lock entries.
func (s *session) uninstall(ctx context.Context, cmd *Command) error {
	_ = ctx
	ws, err := s.workspace(&cmd.Opts, false)
	if err != nil {
		return err
	}
	defer ws.close()
	var targets []*target
	for _, name := range cmd.Args {
		if !validFolderName(name) {
			return fmt.Errorf("%q is not a %s name", name, cmd.Kind.Singular())
		}
		t := &target{item: storeclient.ResolvedItem{Kind: cmd.Kind, Name: name}, dest: ws.lay.folder(cmd.Kind, name)}
		locked := ws.lock.Find(cmd.Kind, name)
		if _, err := os.Stat(t.dest); err != nil {
			if locked == nil {
				return fmt.Errorf("%s %s is not installed (no %s)", cmd.Kind.Singular(), name, t.dest)
			}
		} else {
			t.exists = true
			current, err := HashTree(t.dest)
			if err != nil {
				return err
			}
			if locked == nil {
				t.unmanaged = true
				for p := range current {
					t.changes.Added = append(t.changes.Added, p)
				}
			} else {
				t.changes = Compare(locked.Files, current)
			}
		}
		for _, other := range ws.lock.Resources {
			reqs := other.PackagesRequirements
			if cmd.Kind == storeclient.Assets {
				reqs = other.AssetsRequirements
			}
			for _, r := range reqs {
				if r == name && !containsName(cmd.Args, other.Name) {
					s.warnf("%s %s requires %s %s; it will not load without it", other.Kind.Singular(), other.Name, cmd.Kind.Singular(), name)
				}
			}
		}
		targets = append(targets, t)
	}
	if err := s.confirmChanges(&cmd.Opts, targets, "uninstalling"); err != nil {
		return err
	}
	for _, t := range targets {
		if t.exists {
			aside := filepath.Join(filepath.Dir(t.dest), fmt.Sprintf("%s%s-%d", prefixTrash, t.item.Name, time.Now().UnixNano()))
			if err := os.Rename(t.dest, aside); err != nil {
				return fmt.Errorf("removing %s: %w (is a server or editor using it?)", t.dest, err)
			}
			if err := os.RemoveAll(aside); err != nil {
				s.warnf("could not delete %s: %v; delete it by hand", aside, err)
			}
		}
		if ws.lock.Remove(t.item.Kind, t.item.Name) {
			if err := ws.lock.Write(ws.lay.lockPath); err != nil {
				return err
			}
		}
		s.infof("Uninstalled %s %s", t.item.Kind.Singular(), t.item.Name)
	}
	return nil
}

func containsName(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
