package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/Masterminds/semver/v3"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// localResource is a package or asset pack found in the server folder.
type localResource struct {
	kind    storeclient.Kind
	name    string
	version string
	locked  *LockedRelease
	changes Changes
	err     error
}

// scanLocal lists the resources in Packages/ and Assets/ (hidden folders such as .data left
// out), with their versions and whether they changed since installation.
func scanLocal(lay layout, lock *Lock) ([]localResource, error) {
	var out []localResource
	for _, kind := range []storeclient.Kind{storeclient.Packages, storeclient.Assets} {
		entries, err := os.ReadDir(lay.parent(kind))
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("reading %s: %w", lay.parent(kind), err)
		}
		for _, e := range entries {
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			r := localResource{kind: kind, name: e.Name(), locked: lock.Find(kind, e.Name())}
			dir := lay.folder(kind, e.Name())
			opts := manifest.LoadOptions{ReadOnly: true}
			if kind == storeclient.Assets {
				a, _, err := manifest.LoadAssetsDir(dir, opts)
				if err == nil {
					r.version = a.Version
				}
				r.err = err
			} else {
				p, _, err := manifest.LoadPackageDir(dir, opts)
				if err == nil {
					r.version = p.Version
				}
				r.err = err
			}
			if r.locked != nil {
				if cur, err := HashTree(dir); err == nil {
					r.changes = Compare(r.locked.Files, cur)
				}
				if r.version == "" {
					r.version = r.locked.Version
				}
			}
			out = append(out, r)
		}
	}
	// Lock entries whose folder is gone are listed too: `install` brings them back.
	for _, l := range lock.Resources {
		found := false
		for _, r := range out {
			if r.kind == l.Kind && r.name == l.Name {
				found = true
				break
			}
		}
		if !found {
			lr := l
			out = append(out, localResource{kind: l.Kind, name: l.Name, version: l.Version, locked: &lr, err: errors.New("missing")})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].kind != out[j].kind {
			return out[i].kind == storeclient.Packages
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

func (r *localResource) state() string {
	switch {
	case r.err != nil && r.err.Error() == "missing":
		return "missing (in the lock file; `install` restores it)"
	case r.err != nil:
		return "unreadable: " + r.err.Error()
	case r.locked == nil:
		return "local"
	case !r.changes.Empty():
		return "changed locally"
	}
	return "from the Store"
}

// list prints what is installed, without asking the Store.
func (s *session) list(cmd *Command) error {
	root, err := s.serverDir(&cmd.Opts)
	if err != nil {
		return err
	}
	lay := newLayout(root)
	lock, err := ReadLock(lay.lockPath)
	if err != nil {
		return err
	}
	res, err := scanLocal(lay, lock)
	if err != nil {
		return err
	}
	if len(res) == 0 {
		s.infof("No packages or asset packs in %s", root)
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tVERSION\tSTATE")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.kind.Singular(), r.name, orDash(r.version), r.state())
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// newest returns the highest version among the channels allowed by channel.
func newest(l storeclient.Latest, channel string) string {
	cands := []string{l.Stable}
	if channel == storeclient.ChannelBeta || channel == storeclient.ChannelAlpha {
		cands = append(cands, l.Beta)
	}
	if channel == storeclient.ChannelAlpha {
		cands = append(cands, l.Alpha)
	}
	best := ""
	var bestV *semver.Version
	for _, c := range cands {
		v, err := semver.NewVersion(c)
		if err != nil {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) {
			best, bestV = c, v
		}
	}
	return best
}

// compareVersions returns -1, 0 or 1, or 0 when either does not parse.
func compareVersions(a, b string) int {
	va, err1 := semver.NewVersion(a)
	vb, err2 := semver.NewVersion(b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return va.Compare(vb)
}

// check lists installed resources with their installed and newest versions.
func (s *session) check(ctx context.Context, cmd *Command) error {
	ws, err := s.workspace(&cmd.Opts, false)
	if err != nil {
		return err
	}
	defer ws.close()
	channel, err := normalizeChannel(cmd.Opts.Channel)
	if err != nil {
		return err
	}
	res, err := scanLocal(ws.lay, ws.lock)
	if err != nil {
		return err
	}
	if len(res) == 0 {
		s.infof("No packages or asset packs in %s", ws.lay.root)
		return nil
	}
	// Ask the Store about every resource at once (a few requests at a time): a server with
	// fifty packages should not wait for fifty round trips in a row.
	remotes := make([]*storeclient.Resource, len(res))
	errs := make([]error, len(res))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, r := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			remotes[i], errs[i] = ws.client.Resource(ctx, r.kind, r.name)
		}()
	}
	wg.Wait()
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tINSTALLED\tNEWEST\tSTATUS")
	updates := 0
	for i, r := range res {
		newestV, status := "-", ""
		remote, err := remotes[i], errs[i]
		switch {
		case storeclient.IsStatus(err, http.StatusNotFound):
			status = "not on the Store"
		case err != nil:
			tw.Flush()
			return err
		default:
			newestV = orDash(newest(remote.Latest, channel))
			switch c := compareVersions(r.version, newestV); {
			case newestV == "-":
				status = "no published release"
			case c < 0:
				status = fmt.Sprintf("update available: update %s %s", r.kind.Singular(), r.name)
				updates++
			case c > 0:
				status = "newer than the Store"
			default:
				status = "up to date"
			}
		}
		if reason, yanked := yankedRelease(remote, r.version); yanked {
			// The operator should know the authors withdrew what the server runs.
			status += " (installed release yanked"
			if reason != "" {
				status += ": " + reason
			}
			status += ")"
		}
		if r.locked != nil && !r.changes.Empty() {
			status += " (changed locally)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.kind.Singular(), r.name, orDash(r.version), newestV, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if updates == 0 {
		s.infof("Everything is up to date")
	} else {
		s.infof("%d update(s) available", updates)
	}
	return nil
}

// yankedRelease reports whether version of remote is a yanked release, and why.
func yankedRelease(remote *storeclient.Resource, version string) (reason string, yanked bool) {
	if remote == nil {
		return "", false
	}
	for _, rel := range remote.Releases {
		if rel.Version == version && rel.Yanked {
			return rel.YankReason, true
		}
	}
	return "", false
}

// search prints Store resources matching the words given.
func (s *session) search(ctx context.Context, cmd *Command) error {
	client, err := s.readClient(&cmd.Opts)
	if err != nil {
		return err
	}
	q := strings.Join(cmd.Args, " ")
	res, err := client.Search(ctx, storeclient.SearchQuery{Q: q, PerPage: 25})
	if err != nil {
		return fmt.Errorf("searching for %q: %w", q, err)
	}
	if len(res.Items) == 0 {
		s.infof("Nothing on the Store matches %q", q)
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tVERSION\tDOWNLOADS\tTITLE")
	for _, it := range res.Items {
		kind := it.Kind
		if kind == "" {
			kind, _ = storeclient.ParseKind(it.Type)
		}
		version := orDash(it.Version())
		title := it.Title
		if d := it.Description(); d != "" {
			title += " — " + d
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", orDash(kind.Singular()), it.Name, version, it.Downloads, title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if res.Total > len(res.Items) {
		s.infof("%d of %d results shown; refine the search to see others", len(res.Items), res.Total)
	}
	return nil
}

// info prints one resource with its releases.
func (s *session) info(ctx context.Context, cmd *Command) error {
	client, err := s.readClient(&cmd.Opts)
	if err != nil {
		return err
	}
	name := cmd.Args[0]
	kinds := []storeclient.Kind{cmd.Kind}
	if cmd.Kind == "" {
		kinds = []storeclient.Kind{storeclient.Packages, storeclient.Assets}
	}
	var r *storeclient.Resource
	for _, k := range kinds {
		r, err = client.Resource(ctx, k, name)
		if storeclient.IsStatus(err, http.StatusNotFound) && len(kinds) > 1 {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	if r == nil {
		return fmt.Errorf("no package or asset pack named %q on the Store at %s; try `search %s`", name, client.BaseURL(), name)
	}
	printResource(s.out, r)
	return nil
}

func printResource(w io.Writer, r *storeclient.Resource) {
	fmt.Fprintf(w, "%s (%s %s)\n", r.Title, r.Kind.Singular(), r.Name)
	if r.ShortDescription != "" {
		fmt.Fprintf(w, "  %s\n", r.ShortDescription)
	}
	if t := r.TeamName(); t != "" {
		fmt.Fprintf(w, "  team:      %s\n", t)
	}
	if r.Category != "" {
		fmt.Fprintf(w, "  category:  %s\n", r.Category)
	}
	if len(r.Tags) > 0 {
		fmt.Fprintf(w, "  tags:      %s\n", strings.Join(r.Tags, ", "))
	}
	fmt.Fprintf(w, "  downloads: %d\n", r.Downloads)
	fmt.Fprintf(w, "  latest:    stable %s, beta %s, alpha %s\n", orDash(r.Latest.Stable), orDash(r.Latest.Beta), orDash(r.Latest.Alpha))
	if len(r.Releases) == 0 {
		return
	}
	fmt.Fprintln(w, "  releases:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, rel := range r.Releases {
		state := rel.State
		if rel.Yanked {
			state = "yanked"
			if rel.YankReason != "" {
				state += ": " + rel.YankReason
			}
		}
		reqs := strings.Join(append(append([]string{}, rel.PackagesRequirements...), rel.AssetsRequirements...), ", ")
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", rel.Version, strings.ToLower(rel.Channel), state, humanBytes(rel.Size), orDash(reqs))
	}
	tw.Flush()
}
