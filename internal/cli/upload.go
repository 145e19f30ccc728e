package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/store/zipcheck"
	"github.com/nanoforge/nanoforge/storeclient"
)

// storeChannel maps --channel to the release channel names the upload form takes.
func storeChannel(c string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "":
		return "", nil
	case "stable":
		return "Stable", nil
	case "beta":
		return "Beta", nil
	case "alpha":
		return "Alpha", nil
	case "private":
		return "Private", nil
	}
	return "", usagef("unknown channel %q: use stable, beta, alpha or private", c)
}

// validateLocal runs the checks the Store makes on an upload against the local folder and
// returns the version it declares.
func validateLocal(kind storeclient.Kind, name, dir string) (version string, warns []manifest.Warning, err error) {
	if err := manifest.CheckName(name); err != nil {
		return "", nil, err
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("%s does not exist: create it with `add %s %s` or check --dir", dir, kind.Singular(), name)
	}
	if err != nil || !st.IsDir() {
		return "", nil, fmt.Errorf("%s is not a folder", dir)
	}
	file := manifest.PackageFile
	if kind == storeclient.Assets {
		file = manifest.AssetsFile
	}
	if _, err := os.Stat(dir + string(os.PathSeparator) + file); err != nil {
		return "", nil, fmt.Errorf("%s has no %s; the Store needs it at the root of the upload", dir, file)
	}
	opts := manifest.LoadOptions{ReadOnly: true}
	var reqs, assetReqs []string
	if kind == storeclient.Assets {
		a, w, err := manifest.LoadAssetsDir(dir, opts)
		if err != nil {
			return "", w, err
		}
		version, warns, assetReqs = a.Version, w, a.AssetsRequirements
	} else {
		p, w, err := manifest.LoadPackageDir(dir, opts)
		if err != nil {
			return "", w, err
		}
		version, warns, reqs, assetReqs = p.Version, w, p.PackagesRequirements, p.AssetsRequirements
	}
	if err := manifest.CheckVersion(version); err != nil {
		return "", warns, fmt.Errorf("%s/%s: %v", dir, file, err)
	}
	// The Store orders releases by plain X.Y.Z and expresses pre-releases with channels.
	if v, err := semver.StrictNewVersion(version); err != nil || v.Prerelease() != "" || v.Metadata() != "" {
		return "", warns, fmt.Errorf("%s/%s: [meta] version %q: the Store takes plain X.Y.Z versions; upload pre-releases with --channel beta or --channel alpha instead of a -suffix", dir, file, version)
	}
	for _, req := range append(append([]string{}, reqs...), assetReqs...) {
		if err := manifest.CheckName(req); err != nil {
			return "", warns, fmt.Errorf("%s/%s: requirement %q: %v", dir, file, req, err)
		}
	}
	return version, warns, nil
}

// checkArchive runs the Store's archive checks (paths, links, sizes, descriptor at the root) on
// the zip about to be uploaded.
func checkArchive(f *os.File, size int64, kind storeclient.Kind) error {
	res, err := zipcheck.Check(f, size, zipcheck.DefaultLimits())
	if err != nil {
		return fmt.Errorf("the Store would refuse this archive: %w", err)
	}
	if res.Kind != string(kind) {
		return fmt.Errorf("the archive holds %s, which makes it %s, not %s", res.ManifestName, res.Kind, kind)
	}
	return nil
}

// upload validates, zips and uploads a local package or asset pack as a new release.
func (s *session) upload(ctx context.Context, cmd *Command) error {
	o := &cmd.Opts
	lay, err := s.openServer(o)
	if err != nil {
		return err
	}
	name := cmd.Args[0]
	dir := lay.folder(cmd.Kind, name)
	version, warns, err := validateLocal(cmd.Kind, name, dir)
	for _, w := range warns {
		s.warnf("%s", w.String())
	}
	if err != nil {
		return err
	}
	channel, err := storeChannel(o.Channel)
	if err != nil {
		return err
	}
	client, err := s.client(o, lay.root, true)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "nanoforge-upload-"+name+"-*.zip")
	if err != nil {
		return fmt.Errorf("creating a temporary archive: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	packed, err := Pack(dir, tmp, DefaultPackLimits)
	if err != nil {
		return err
	}
	for _, sk := range packed.Skipped {
		s.infof("Leaving out %s", sk)
	}
	if err := checkArchive(tmp, packed.Size, cmd.Kind); err != nil {
		return err
	}
	// Every local check passed; now ask the Store about the token, so a bad one fails before
	// the changelog prompt and before an archive of hundreds of MiB is sent.
	if err := checkUploadToken(ctx, client); err != nil {
		return fmt.Errorf("uploading %s %s %s: %w", cmd.Kind.Singular(), name, version, err)
	}
	changelog, err := s.changelog(o)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return err
	}
	label := fmt.Sprintf("Uploading %s %s %s", cmd.Kind.Singular(), name, version)
	prog := s.newProgress()
	b := prog.Bar(label, packed.Size)
	res, err := client.Upload(ctx, storeclient.UploadRequest{
		Kind: cmd.Kind, Name: name, File: tmp, Size: packed.Size,
		Changelog: changelog, Channel: channel, Publish: o.Publish, Progress: b.Set,
	})
	b.Done(err)
	prog.Wait()
	if err != nil {
		return fmt.Errorf("uploading %s %s %s: %w", cmd.Kind.Singular(), name, version, err)
	}
	if res.SHA256 != "" && !strings.EqualFold(res.SHA256, packed.SHA256) {
		s.warnf("the Store recorded SHA-256 %s, the archive sent was %s (the Store leaves out .cache files, so this can be expected)", res.SHA256, packed.SHA256)
	}
	page := client.ReleasePageURL(res.URL)
	if res.State == "published" {
		s.infof("Published %s %s %s (%s) on the Store: %s", cmd.Kind.Singular(), name, res.Version, strings.ToLower(res.Channel), page)
		return nil
	}
	s.infof("Uploaded %s %s %s as a draft: review and publish it at %s", cmd.Kind.Singular(), name, res.Version, page)
	switch {
	case res.Notice != "":
		s.warnf("--publish was given, but the Store answered: %s", res.Notice)
	case o.Publish:
		s.warnf("--publish was given but the Store kept the release as a draft: publish it on the Store page above (publishing needs the admin or owner role in the team)")
	}
	return nil
}

// checkUploadToken makes sure the token is known to the Store and may upload.
func checkUploadToken(ctx context.Context, c *storeclient.Client) error {
	me, err := c.Me(ctx)
	if err != nil {
		return err
	}
	if len(me.Token.Scopes) > 0 && !slices.Contains(me.Token.Scopes, "publish") {
		return fmt.Errorf("the token %q of %s has the scopes %s but uploading needs `publish`; create a token with the publish scope on the Store (account → tokens)",
			me.Token.Label, me.Name, strings.Join(me.Token.Scopes, ", "))
	}
	return nil
}

// changelog returns the release notes from --changelog, --changelog-file or a prompt.
func (s *session) changelog(o *Options) (string, error) {
	if o.Given("changelog") && o.Given("changelog-file") {
		return "", usagef("give either --changelog or --changelog-file, not both")
	}
	if o.Given("changelog") {
		return o.Changelog, nil
	}
	if o.Given("changelog-file") {
		data, err := os.ReadFile(o.ChangelogFile)
		if err != nil {
			return "", fmt.Errorf("reading the changelog: %w", err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	if o.Yes || !s.canAsk() {
		return "", nil
	}
	fmt.Fprintln(s.out, "Please enter the Changelog (finish with an empty line):")
	var lines []string
	for {
		line, err := s.in.readLine(s.ctx)
		if s.ctx.Err() != nil {
			return "", s.ctx.Err()
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		lines = append(lines, line)
		if err != nil {
			break
		}
	}
	return strings.Join(lines, "\n"), nil
}
