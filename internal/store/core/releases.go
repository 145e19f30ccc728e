package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/db"
	"github.com/nanoforge/nanoforge/internal/store/zipcheck"
)

// Release channels, least stable last. Private releases are seen only by the team.
const (
	ChannelStable  = "Stable"
	ChannelBeta    = "Beta"
	ChannelAlpha   = "Alpha"
	ChannelPrivate = "Private"
)

// Release states.
const (
	StateDraft     = "draft"
	StatePublished = "published"
)

func channelRank(c string) int {
	switch c {
	case ChannelStable:
		return 1
	case ChannelBeta:
		return 2
	case ChannelAlpha:
		return 3
	}
	return 4
}

// ParseChannel accepts a channel name in any letter case; empty means Stable.
func ParseChannel(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "stable":
		return ChannelStable, nil
	case "beta":
		return ChannelBeta, nil
	case "alpha":
		return ChannelAlpha, nil
	case "private":
		return ChannelPrivate, nil
	}
	return "", invalid("channel", "unknown channel %q; use Stable, Beta, Alpha or Private", s)
}

// ResourceRef names a resource.
type ResourceRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Release is one uploaded version of a resource.
type Release struct {
	ID                   int64       `json:"-"`
	ResourceID           int64       `json:"-"`
	Resource             ResourceRef `json:"resource"`
	Version              string      `json:"version"`
	Channel              string      `json:"channel"`
	State                string      `json:"state"`
	Yanked               bool        `json:"yanked"`
	YankReason           string      `json:"yank_reason"`
	Changelog            string      `json:"changelog"`
	SHA256               string      `json:"sha256"`
	Size                 int64       `json:"size"`
	SizeUnpacked         int64       `json:"size_unpacked"`
	ManifestSHA256       string      `json:"manifest_sha256"`
	Manifest             string      `json:"-"`
	PackagesRequirements []string    `json:"packages_requirements"`
	AssetsRequirements   []string    `json:"assets_requirements"`
	Downloads            int64       `json:"downloads"`
	CreatedAt            time.Time   `json:"created_at"`
	PublishedAt          time.Time   `json:"published_at,omitzero"`
	// Removed lists archive entries dropped at upload (only set by Upload).
	Removed []string `json:"removed,omitempty"`
	// Notice explains why Upload kept a release as a draft although publishing was asked for
	// (only set by Upload).
	Notice string `json:"notice,omitempty"`
}

func (r Release) visible(private bool) bool {
	return private || r.State == StatePublished && r.Channel != ChannelPrivate
}

// BlobKey is where a release's zip is stored: content-addressed, so identical uploads share it.
func BlobKey(sha string) string { return "zip/" + sha[:2] + "/" + sha[2:4] + "/" + sha }

// ManifestKey is where an unpacked manifest is stored.
func ManifestKey(sha string) string { return "toml/" + sha[:2] + "/" + sha[2:4] + "/" + sha }

const releaseCols = `id, resource_id, version, channel, state, yanked, yank_reason, changelog, sha256, size, size_unpacked,
	manifest_sha256, manifest, packages_requirements, assets_requirements, downloads, created_at, published_at`

func scanRelease(sc interface{ Scan(...any) error }) (Release, error) {
	var r Release
	var yanked, created, published int64
	var preq, areq string
	err := sc.Scan(&r.ID, &r.ResourceID, &r.Version, &r.Channel, &r.State, &yanked, &r.YankReason, &r.Changelog, &r.SHA256, &r.Size, &r.SizeUnpacked,
		&r.ManifestSHA256, &r.Manifest, &preq, &areq, &r.Downloads, &created, &published)
	r.Yanked, r.CreatedAt, r.PublishedAt = db.Bool(yanked), db.Time(created), db.Time(published)
	json.Unmarshal([]byte(preq), &r.PackagesRequirements)
	json.Unmarshal([]byte(areq), &r.AssetsRequirements)
	if r.PackagesRequirements == nil {
		r.PackagesRequirements = []string{}
	}
	if r.AssetsRequirements == nil {
		r.AssetsRequirements = []string{}
	}
	return r, err
}

// releases lists a resource's releases, newest version first.
func (s *Service) releases(ctx context.Context, q db.Q, resourceID int64) ([]Release, error) {
	rows, err := q.Query(ctx, `SELECT `+releaseCols+` FROM releases WHERE resource_id = ? ORDER BY major DESC, minor DESC, patch DESC`, resourceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// refresh recomputes a resource's public flag and latest release after its releases changed.
func (s *Service) refresh(ctx context.Context, q db.Q, resourceID int64) error {
	rels, err := s.releases(ctx, q, resourceID)
	if err != nil {
		return err
	}
	public := false
	var latest int64
	var fallback int64
	for _, r := range rels {
		if r.State != StatePublished || r.Channel == ChannelPrivate {
			continue
		}
		public = true
		if r.Yanked {
			continue
		}
		if latest == 0 && r.Channel == ChannelStable {
			latest = r.ID
		}
		if fallback == 0 {
			fallback = r.ID
		}
	}
	if latest == 0 {
		latest = fallback
	}
	_, err = q.Exec(ctx, `UPDATE resources SET public = ?, latest_release_id = ?, updated_at = ? WHERE id = ?`, db.Int(public), latest, db.Millis(s.now()), resourceID)
	return err
}

// Manifest is what the Store needs from an uploaded Package.toml or Assets.toml.
type Manifest struct {
	Kind                 string // packages or assets
	Category             string // the package type; empty for asset packs
	Title                string
	Author               string
	Version              string
	PackagesRequirements []string
	AssetsRequirements   []string
}

// ParseManifest parses a manifest read from a release zip with the server's own manifest
// parser, so the Store accepts exactly what servers load.
func ParseManifest(kind string, data []byte) (Manifest, error) {
	var m Manifest
	m.Kind = kind
	switch kind {
	case KindPackages:
		p, _, err := manifest.ParsePackage(data, zipcheck.PackageManifest)
		if err != nil {
			return m, invalid("file", "Package.toml is invalid: %v", err)
		}
		m.Category, m.Title, m.Author, m.Version = string(p.Kind), p.Title, p.Author, p.Version
		m.PackagesRequirements, m.AssetsRequirements = p.PackagesRequirements, p.AssetsRequirements
	case KindAssets:
		p, _, err := manifest.ParseAssets(data, zipcheck.AssetsManifest)
		if err != nil {
			return m, invalid("file", "Assets.toml is invalid: %v", err)
		}
		m.Title, m.Author, m.Version = p.Title, p.Author, p.Version
		m.AssetsRequirements = p.AssetsRequirements
	default:
		return m, CheckKind(kind)
	}
	file := zipcheck.PackageManifest
	if kind == KindAssets {
		file = zipcheck.AssetsManifest
	}
	v, err := semver.StrictNewVersion(m.Version)
	if err != nil || v.Prerelease() != "" || v.Metadata() != "" {
		if err := manifest.CheckVersion(m.Version); err != nil {
			return m, invalid("file", "%s: [meta] version: %v", file, err)
		}
		return m, invalid("file", "%s: [meta] version %q: the Store takes plain X.Y.Z versions; publish pre-releases on the Beta or Alpha channel instead of a -suffix", file, m.Version)
	}
	for _, req := range append(append([]string{}, m.PackagesRequirements...), m.AssetsRequirements...) {
		name, _, _ := strings.Cut(req, "@")
		if err := CheckName("requirement", name); err != nil {
			return m, invalid("file", "%s: requirement %q is not a valid name: %v", file, req, err)
		}
	}
	if m.PackagesRequirements == nil {
		m.PackagesRequirements = []string{}
	}
	if m.AssetsRequirements == nil {
		m.AssetsRequirements = []string{}
	}
	return m, nil
}

// ReadManifest validates an archive and parses its manifest.
func ReadManifest(r io.ReaderAt, size int64, lim zipcheck.Limits) (*zipcheck.Result, Manifest, error) {
	res, err := zipcheck.Check(r, size, lim)
	if err != nil {
		var ze *zipcheck.Error
		if errors.As(err, &ze) {
			return nil, Manifest{}, &Error{Status: http.StatusUnprocessableEntity, Field: "file", Msg: "the zip was refused: " + ze.Error()}
		}
		return nil, Manifest{}, err
	}
	m, err := ParseManifest(res.Kind, res.Manifest)
	return res, m, err
}

// UploadInput is one release upload.
type UploadInput struct {
	Kind      string
	Name      string
	File      io.Reader // the zip, streamed (or Spooled)
	Spooled   *Spooled  // an upload already spooled with Spool
	Changelog string
	Channel   string // Stable when empty
	Publish   bool
	// Team holds a resource created by this upload (its first release): the uploader needs the
	// admin or owner role there. Empty means the uploader's personal team. For an existing
	// resource it must be empty or name the team that already holds it.
	Team string
}

type hashingWriter struct {
	w io.Writer
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// Spooled is an upload written to a temporary file, with its size and SHA-256.
type Spooled struct {
	f      *os.File
	Size   int64
	SHA256 string
}

// Close removes the temporary file.
func (sp *Spooled) Close() error {
	sp.f.Close()
	return os.Remove(sp.f.Name())
}

// Spool streams an upload to a temporary file, hashing while it writes and refusing more than
// the configured maximum size; the upload is never held in memory.
func (s *Service) Spool(ctx context.Context, r io.Reader) (*Spooled, error) {
	tmp, err := os.CreateTemp(s.cfg.TmpDir, "upload-*.zip")
	if err != nil {
		return nil, fmt.Errorf("store: temporary upload file in %s: %w", s.cfg.TmpDir, err)
	}
	sp := &Spooled{f: tmp}
	hw := &hashingWriter{w: tmp, h: sha256.New()}
	n, err := io.Copy(hw, io.LimitReader(r, s.cfg.MaxUploadSize+1))
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		sp.Close()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errf(http.StatusRequestEntityTooLarge, "the zip is larger than the Store's limit of %d bytes", s.cfg.MaxUploadSize)
		}
		return nil, errf(http.StatusBadRequest, "the upload was interrupted: %v", err)
	}
	if n > s.cfg.MaxUploadSize {
		sp.Close()
		return nil, errf(http.StatusRequestEntityTooLarge, "the zip is larger than the Store's limit of %d bytes", s.cfg.MaxUploadSize)
	}
	sp.Size, sp.SHA256 = n, hex.EncodeToString(hw.h.Sum(nil))
	return sp, nil
}

// Upload streams a release zip to a temporary file (hashing as it writes), validates it, stores
// it in the blob store and then records the release. The release becomes visible only when its
// row commits, after the blob is stored; a version can be uploaded once (the database's unique
// constraint settles concurrent uploads).
func (s *Service) Upload(ctx context.Context, a Actor, in UploadInput) (Release, error) {
	if !a.LoggedIn() {
		return Release{}, errLogin
	}
	if !a.Scopes.Has(ScopePublish) {
		return Release{}, errf(http.StatusForbidden, "uploading needs a token with the `publish` scope")
	}
	if err := CheckKind(in.Kind); err != nil {
		return Release{}, err
	}
	if err := CheckName(kindNoun(in.Kind), in.Name); err != nil {
		return Release{}, err
	}
	channel, err := ParseChannel(in.Channel)
	if err != nil {
		return Release{}, err
	}
	if len(in.Changelog) > 100000 {
		return Release{}, invalid("changelog", "the changelog is longer than 100000 characters")
	}
	if in.Spooled == nil {
		sp, err := s.Spool(ctx, in.File)
		if err != nil {
			return Release{}, err
		}
		defer sp.Close()
		in.Spooled = sp
	}
	// Refuse early when the actor cannot upload to an existing resource.
	if r, err := s.resource(ctx, s.db.Q(), in.Kind, in.Name); err == nil {
		if err := s.requireTeam(ctx, s.db.Q(), a, r.Team, RoleMember, ScopePublish); err != nil {
			return Release{}, errf(http.StatusForbidden, "the name %q is held by team %q and you are not a member; pick another name", in.Name, r.Team.Name)
		}
		if in.Team != "" && !strings.EqualFold(in.Team, r.Team.Name) {
			return Release{}, invalid("team", "%s already belongs to team %q; leave the team out, or move the resource first (PATCH /api/v1/%s/%s with \"team\")", r.Name, r.Team.Name, in.Kind, r.Name)
		}
	} else if StatusOf(err) != http.StatusNotFound {
		return Release{}, err
	} else if in.Team != "" {
		// Check the target team before reading the zip, so a wrong team fails fast.
		t, err := s.teamByName(ctx, s.db.Q(), in.Team)
		if err != nil {
			return Release{}, err
		}
		if err := s.requireTeam(ctx, s.db.Q(), a, t, RoleAdmin, ScopePublish); err != nil {
			return Release{}, err
		}
	}
	tmp, n, sum := in.Spooled.f, in.Spooled.Size, in.Spooled.SHA256

	res, m, err := ReadManifest(tmp, n, s.cfg.Zip)
	if err != nil {
		return Release{}, err
	}
	if m.Kind != in.Kind {
		return Release{}, invalid("file", "the zip holds %s (a %s) but was uploaded as %s; upload it under /%s/", res.ManifestName, kindNoun(m.Kind), in.Kind, m.Kind)
	}
	body := io.ReadSeeker(tmp)
	size := n
	if len(res.Removed) > 0 {
		// Drop .cache entries: rewrite the archive without them into a second temporary file.
		stripped, err := os.CreateTemp(s.cfg.TmpDir, "upload-*.zip")
		if err != nil {
			return Release{}, err
		}
		defer func() { stripped.Close(); os.Remove(stripped.Name()) }()
		sw := &hashingWriter{w: stripped, h: sha256.New()}
		if err := zipcheck.Strip(tmp, n, sw); err != nil {
			return Release{}, fmt.Errorf("store: rewrite upload without .cache entries: %w", err)
		}
		body, size, sum = stripped, sw.n, hex.EncodeToString(sw.h.Sum(nil))
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return Release{}, err
	}
	if err := s.blob.Put(ctx, BlobKey(sum), body, size); err != nil {
		return Release{}, err
	}
	msum := sha256.Sum256(res.Manifest)
	manifestSum := hex.EncodeToString(msum[:])
	if err := s.blob.Put(ctx, ManifestKey(manifestSum), bytes.NewReader(res.Manifest), int64(len(res.Manifest))); err != nil {
		return Release{}, err
	}
	if s.afterBlob != nil {
		if err := s.afterBlob(); err != nil {
			return Release{}, err
		}
	}
	v := semver.MustParse(m.Version)
	now := db.Millis(s.now())
	rel := Release{
		Resource: ResourceRef{Kind: in.Kind, Name: in.Name}, Version: m.Version, Channel: channel, State: StateDraft,
		Changelog: in.Changelog, SHA256: sum, Size: size, SizeUnpacked: res.UnpackedSize, ManifestSHA256: manifestSum,
		Manifest: string(res.Manifest), PackagesRequirements: m.PackagesRequirements, AssetsRequirements: m.AssetsRequirements,
		CreatedAt: db.Time(now), Removed: res.Removed,
	}
	preq, _ := json.Marshal(m.PackagesRequirements)
	areq, _ := json.Marshal(m.AssetsRequirements)
	err = s.db.Tx(ctx, func(q db.Q) error {
		r, err := s.resource(ctx, q, in.Kind, in.Name)
		if StatusOf(err) == http.StatusNotFound {
			r, err = s.createResource(ctx, q, a, in.Kind, in.Name, in.Team, m)
		}
		if err != nil {
			return err
		}
		role, err := s.roleIn(ctx, q, a, r.Team.ID)
		if err != nil {
			return err
		}
		if role == "" {
			return errf(http.StatusForbidden, "the name %q is held by team %q and you are not a member; pick another name", in.Name, r.Team.Name)
		}
		// A member may upload but not publish: publishing goes as far as the role allows, so the
		// release is kept as a draft (with a notice saying why) rather than refused outright.
		if in.Publish && role.AtLeast(RoleAdmin) {
			rel.State, rel.PublishedAt = StatePublished, db.Time(now)
		} else if in.Publish {
			rel.Notice = fmt.Sprintf("kept as a draft: publishing needs the admin or owner role in team %q; ask an admin or owner of the team to publish %s %s", r.Team.Name, r.Name, rel.Version)
		}
		if r.Kind == KindPackages && m.Category != "" && r.Category != m.Category {
			if _, err := q.Exec(ctx, `UPDATE resources SET category = ? WHERE id = ?`, m.Category, r.ID); err != nil {
				return err
			}
		}
		rel.Resource.Name = r.Name
		err = q.Row(ctx, `INSERT INTO releases (resource_id, version, major, minor, patch, channel, state, changelog, sha256, size, size_unpacked,
			manifest_sha256, manifest, packages_requirements, assets_requirements, uploader_id, created_at, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.ID, rel.Version, int64(v.Major()), int64(v.Minor()), int64(v.Patch()), rel.Channel, rel.State, rel.Changelog, rel.SHA256, rel.Size, rel.SizeUnpacked,
			rel.ManifestSHA256, rel.Manifest, string(preq), string(areq), a.UserID, now, db.Millis(rel.PublishedAt)).Scan(&rel.ID)
		if err != nil {
			if db.IsUnique(err) {
				return errf(http.StatusConflict, "version %s of %s already exists; raise [meta] version in %s and upload again", rel.Version, in.Name, res.ManifestName)
			}
			return err
		}
		rel.ResourceID = r.ID
		return s.refresh(ctx, q, r.ID)
	})
	if err != nil {
		return Release{}, err
	}
	return rel, nil
}

// createResource makes the resource on its first upload, in the named team (where the uploader
// needs the admin or owner role) or else in the uploader's personal team.
func (s *Service) createResource(ctx context.Context, q db.Q, a Actor, kind, name, team string, m Manifest) (Resource, error) {
	var t Team
	if team != "" {
		var err error
		if t, err = s.teamByName(ctx, q, team); err != nil {
			return Resource{}, err
		}
		if err := s.requireTeam(ctx, q, a, t, RoleAdmin, ScopePublish); err != nil {
			return Resource{}, err
		}
	} else {
		var teamID int64
		if err := q.Row(ctx, `SELECT personal_team FROM users WHERE id = ?`, a.UserID).Scan(&teamID); err != nil {
			return Resource{}, err
		}
		var err error
		if t, err = scanTeam(q.Row(ctx, `SELECT `+teamCols+` FROM teams t WHERE t.id = ?`, teamID)); err != nil {
			return Resource{}, fmt.Errorf("store: personal team of %s: %w", a.Name, err)
		}
	}
	now := s.now()
	title := m.Title
	if title == "" {
		title = name
	}
	r := Resource{Kind: kind, Name: name, Title: title, Category: m.Category, Tags: []string{}, Team: t, CreatedAt: now, UpdatedAt: now}
	err := q.Row(ctx, `INSERT INTO resources (kind, name, name_lower, team_id, title, category, search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		kind, name, strings.ToLower(name), t.ID, r.Title, r.Category, searchText(r), db.Millis(now), db.Millis(now)).Scan(&r.ID)
	if db.IsUnique(err) {
		return Resource{}, errf(http.StatusConflict, "the name %q was just taken by another upload; try again", name)
	}
	return r, err
}

// releaseFor loads a resource and one of its releases and the actor's view of them.
func (s *Service) releaseFor(ctx context.Context, q db.Q, a Actor, kind, name, version string) (Resource, Release, bool, error) {
	r, err := s.resource(ctx, q, kind, name)
	if err != nil {
		return r, Release{}, false, err
	}
	priv, err := s.canSeePrivate(ctx, q, a, r.Team.ID)
	if err != nil {
		return r, Release{}, false, err
	}
	rel, err := scanRelease(q.Row(ctx, `SELECT `+releaseCols+` FROM releases WHERE resource_id = ? AND version = ?`, r.ID, version))
	if isNoRows(err) || err == nil && !rel.visible(priv) {
		if !r.Public && !priv {
			return r, rel, priv, errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
		}
		return r, rel, priv, errf(http.StatusNotFound, "%s has no release %s", name, version)
	}
	rel.Resource = ResourceRef{Kind: r.Kind, Name: r.Name}
	return r, rel, priv, err
}

// GetRelease returns one release the actor may see.
func (s *Service) GetRelease(ctx context.Context, a Actor, kind, name, version string) (Release, error) {
	_, rel, _, err := s.releaseFor(ctx, s.db.Q(), a, kind, name, version)
	return rel, err
}

// changeRelease runs fn on a release the actor may manage (team admins and owners, publish scope).
func (s *Service) changeRelease(ctx context.Context, a Actor, kind, name, version string, fn func(q db.Q, rel *Release) error) (Release, error) {
	var rel Release
	err := s.db.Tx(ctx, func(q db.Q) error {
		r, got, _, err := s.releaseFor(ctx, q, a, kind, name, version)
		if err != nil {
			return err
		}
		rel = got
		if err := s.requireTeam(ctx, q, a, r.Team, RoleAdmin, ScopePublish); err != nil {
			return err
		}
		if err := fn(q, &rel); err != nil {
			return err
		}
		return s.refresh(ctx, q, r.ID)
	})
	return rel, err
}

// Publish makes a draft release available (optionally moving it to another channel first), or
// moves a published release between channels. Published files never change.
func (s *Service) Publish(ctx context.Context, a Actor, kind, name, version, channel string) (Release, error) {
	return s.changeRelease(ctx, a, kind, name, version, func(q db.Q, rel *Release) error {
		if channel != "" {
			c, err := ParseChannel(channel)
			if err != nil {
				return err
			}
			rel.Channel = c
		}
		if rel.State == StateDraft {
			rel.State, rel.PublishedAt = StatePublished, s.now().Truncate(time.Millisecond)
		}
		_, err := q.Exec(ctx, `UPDATE releases SET state = ?, channel = ?, published_at = ? WHERE id = ?`, rel.State, rel.Channel, db.Millis(rel.PublishedAt), rel.ID)
		return err
	})
}

// Yank marks a published release as withdrawn: never chosen as latest, still downloadable by its
// exact version so existing installs keep working.
func (s *Service) Yank(ctx context.Context, a Actor, kind, name, version, reason string) (Release, error) {
	return s.changeRelease(ctx, a, kind, name, version, func(q db.Q, rel *Release) error {
		if rel.State != StatePublished {
			return errf(http.StatusConflict, "%s %s is a draft; delete it instead of yanking", name, version)
		}
		reason = strings.TrimSpace(reason)
		if reason == "" || len(reason) > 1000 {
			return invalid("reason", "say why the release is yanked (1 to 1000 characters), so users know whether to upgrade")
		}
		rel.Yanked, rel.YankReason = true, reason
		_, err := q.Exec(ctx, `UPDATE releases SET yanked = 1, yank_reason = ? WHERE id = ?`, reason, rel.ID)
		return err
	})
}

// DeleteRelease removes a draft. Published releases are permanent (yank them instead); the zip
// is removed by the orphan cleanup once nothing references it.
func (s *Service) DeleteRelease(ctx context.Context, a Actor, kind, name, version string) error {
	_, err := s.changeRelease(ctx, a, kind, name, version, func(q db.Q, rel *Release) error {
		if rel.State != StateDraft {
			return errf(http.StatusConflict, "%s %s is published and cannot be deleted; yank it instead", name, version)
		}
		_, err := q.Exec(ctx, `DELETE FROM releases WHERE id = ?`, rel.ID)
		return err
	})
	return err
}

// OpenDownload opens a release's zip for the actor. Yanked releases stay downloadable by exact
// version. The caller serves it (ranges, ETag) and calls CountDownload.
func (s *Service) OpenDownload(ctx context.Context, a Actor, kind, name, version string) (Release, blob.Object, error) {
	_, rel, _, err := s.releaseFor(ctx, s.db.Q(), a, kind, name, version)
	if err != nil {
		return rel, nil, err
	}
	obj, err := s.blob.Open(ctx, BlobKey(rel.SHA256))
	if err != nil {
		return rel, nil, fmt.Errorf("store: open zip of %s %s (%s): %w", name, version, rel.SHA256, err)
	}
	return rel, obj, nil
}

// CountDownload counts one download of a release by a client, once per client and release within
// the download window (recorded in the database so every process agrees).
func (s *Service) CountDownload(ctx context.Context, rel Release, client string) error {
	win := s.now().UnixMilli() / s.cfg.DownloadWindow.Milliseconds()
	h := sha256.Sum256([]byte(client))
	key := hex.EncodeToString(h[:16])
	// Most repeated downloads are already marked: a read answers them without taking the write
	// lock (SQLite has one writer).
	var one int
	if err := s.db.Q().Row(ctx, `SELECT 1 FROM download_marks WHERE release_id = ? AND client = ? AND win = ?`, rel.ID, key, win).Scan(&one); err == nil {
		return nil
	}
	return s.db.Tx(ctx, func(q db.Q) error {
		res, err := q.Exec(ctx, `INSERT INTO download_marks (release_id, client, win) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, rel.ID, key, win)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := q.Exec(ctx, `UPDATE releases SET downloads = downloads + 1 WHERE id = ?`, rel.ID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `UPDATE resources SET downloads = downloads + 1 WHERE id = ?`, rel.ResourceID)
		return err
	})
}
