package core

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"

	"github.com/nanoforge/nanoforge/internal/store/db"
)

// Kinds of resources, as they appear in URLs.
const (
	KindPackages = "packages"
	KindAssets   = "assets"
)

// CheckKind validates a resource kind from a URL.
func CheckKind(kind string) error {
	if kind != KindPackages && kind != KindAssets {
		return errf(http.StatusNotFound, "unknown resource kind %q; use packages or assets", kind)
	}
	return nil
}

// Resource is a package or asset pack.
type Resource struct {
	ID               int64     `json:"id"`
	Kind             string    `json:"kind"`
	Name             string    `json:"name"`
	Title            string    `json:"title"`
	ShortDescription string    `json:"short_description"`
	Description      string    `json:"description"`
	Category         string    `json:"category"`
	Tags             []string  `json:"tags"`
	Image            string    `json:"image"`
	Team             Team      `json:"team"`
	Downloads        int64     `json:"downloads"`
	Public           bool      `json:"public"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	LatestReleaseID  int64     `json:"-"`
}

const resourceCols = `r.id, r.kind, r.name, r.title, r.short_description, r.description, r.category, r.tags, r.image,
	r.downloads, r.public, r.created_at, r.updated_at, r.latest_release_id, ` + teamCols

func scanResource(sc interface{ Scan(...any) error }, extra ...any) (Resource, error) {
	var r Resource
	var tags string
	var public, created, updated, personal, tcreated int64
	dst := []any{&r.ID, &r.Kind, &r.Name, &r.Title, &r.ShortDescription, &r.Description, &r.Category, &tags, &r.Image,
		&r.Downloads, &public, &created, &updated, &r.LatestReleaseID,
		&r.Team.ID, &r.Team.Name, &r.Team.Title, &r.Team.Description, &r.Team.Image, &personal, &tcreated}
	err := sc.Scan(append(dst, extra...)...)
	r.Tags = splitTags(tags)
	r.Public, r.CreatedAt, r.UpdatedAt = db.Bool(public), db.Time(created), db.Time(updated)
	r.Team.Personal, r.Team.CreatedAt = db.Bool(personal), db.Time(tcreated)
	return r, err
}

// Tags are stored as ",a,b," so one LIKE '%,tag,%' finds a tag.
func joinTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.Split(strings.Trim(s, ","), ",") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func normalizeTags(in []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if err := CheckName("tag", t); err != nil {
			return nil, invalid("tags", "tag %q may only hold lowercase letters, digits and '-'", t)
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > 20 {
		return nil, invalid("tags", "at most 20 tags per resource")
	}
	return out, nil
}

func searchText(r Resource) string {
	return SearchText(r.Name, r.Title, r.ShortDescription, r.Description, r.Tags)
}

// SearchText builds the text the full-text indexes see: lower case, every run of letters and
// digits one word, everything else a space. Both databases then split it the same way (left to
// itself PostgreSQL would read "pkg-42" as "pkg" and the number -42).
func SearchText(name, title, short, description string, tags []string) string {
	var b strings.Builder
	for _, part := range append([]string{name, title, short, description}, tags...) {
		for _, r := range strings.ToLower(part) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func (s *Service) resource(ctx context.Context, q db.Q, kind, name string) (Resource, error) {
	if err := CheckKind(kind); err != nil {
		return Resource{}, err
	}
	r, err := scanResource(q.Row(ctx, `SELECT `+resourceCols+` FROM resources r JOIN teams t ON t.id = r.team_id WHERE r.kind = ? AND r.name_lower = ?`, kind, strings.ToLower(name)))
	if isNoRows(err) {
		return r, errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
	}
	return r, err
}

func kindNoun(kind string) string {
	if kind == KindAssets {
		return "asset pack"
	}
	return "package"
}

// canSeePrivate reports whether the actor may see the team's drafts and private releases:
// members (any role) and operators, with a credential holding the read scope.
func (s *Service) canSeePrivate(ctx context.Context, q db.Q, a Actor, teamID int64) (bool, error) {
	if !a.LoggedIn() || !a.Scopes.Has(ScopeRead) {
		return false, nil
	}
	r, err := s.roleIn(ctx, q, a, teamID)
	return r != "", err
}

// ResourceView is a resource with the releases the actor may see and the latest per channel.
type ResourceView struct {
	Resource
	// DescriptionHTML is the long description rendered from Markdown and sanitised.
	DescriptionHTML string    `json:"description_html"`
	Latest          Latest    `json:"latest"`
	Releases        []Release `json:"releases"`
	// Private reports whether the actor sees drafts and private releases.
	Private bool `json:"-"`
}

// Latest names the newest release per channel; each channel includes the more stable ones.
type Latest struct {
	Stable string `json:"stable,omitempty"`
	Beta   string `json:"beta,omitempty"`
	Alpha  string `json:"alpha,omitempty"`
}

// GetResource returns a resource with its releases. Resources without a public release are
// visible only to their team (404 for everyone else, so private names do not leak).
func (s *Service) GetResource(ctx context.Context, a Actor, kind, name string) (ResourceView, error) {
	q := s.db.Q()
	r, err := s.resource(ctx, q, kind, name)
	if err != nil {
		return ResourceView{}, err
	}
	priv, err := s.canSeePrivate(ctx, q, a, r.Team.ID)
	if err != nil {
		return ResourceView{}, err
	}
	if !r.Public && !priv {
		return ResourceView{}, errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
	}
	rels, err := s.releases(ctx, q, r.ID)
	if err != nil {
		return ResourceView{}, err
	}
	v := ResourceView{Resource: r, DescriptionHTML: RenderMarkdown(r.Description), Private: priv, Releases: []Release{}}
	for _, rel := range rels {
		if rel.visible(priv) {
			rel.Resource = ResourceRef{Kind: r.Kind, Name: r.Name}
			v.Releases = append(v.Releases, rel)
		}
	}
	v.Latest = latestOf(rels, false)
	return v, nil
}

// latestOf picks the newest non-yanked published release per channel (releases sorted newest
// first). withPrivate lets Private releases count, for members.
func latestOf(rels []Release, withPrivate bool) Latest {
	var l Latest
	for _, rel := range rels {
		if rel.State != StatePublished || rel.Yanked || rel.Channel == ChannelPrivate && !withPrivate {
			continue
		}
		rank := channelRank(rel.Channel)
		if l.Alpha == "" && rank <= 3 {
			l.Alpha = rel.Version
		}
		if l.Beta == "" && rank <= 2 {
			l.Beta = rel.Version
		}
		if l.Stable == "" && rank <= 1 {
			l.Stable = rel.Version
		}
	}
	return l
}

// ResourceUpdate holds the editable fields of a resource; nil fields stay as they are.
type ResourceUpdate struct {
	Title            *string
	ShortDescription *string
	Description      *string
	Category         *string
	Tags             *[]string
	Image            *string
	// Team moves the resource to another team: it needs the admin or owner role in both the
	// current and the new team.
	Team *string
}

// UpdateResource edits a resource's details (team owners and admins, manage scope).
func (s *Service) UpdateResource(ctx context.Context, a Actor, kind, name string, u ResourceUpdate) (Resource, error) {
	var r Resource
	err := s.db.Tx(ctx, func(q db.Q) error {
		var err error
		r, err = s.resource(ctx, q, kind, name)
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, r.Team, RoleAdmin, ScopeManage); err != nil {
			if !r.Public && StatusOf(err) == http.StatusForbidden {
				if ok, _ := s.canSeePrivate(ctx, q, a, r.Team.ID); !ok {
					return errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
				}
			}
			return err
		}
		set := func(dst *string, src *string, field string, max int) error {
			if src == nil {
				return nil
			}
			if len(*src) > max {
				return invalid(field, "%s is longer than %d characters", field, max)
			}
			*dst = *src
			return nil
		}
		if err := set(&r.Title, u.Title, "title", 100); err != nil {
			return err
		}
		if err := set(&r.ShortDescription, u.ShortDescription, "short_description", 300); err != nil {
			return err
		}
		if err := set(&r.Description, u.Description, "description", 100000); err != nil {
			return err
		}
		if err := set(&r.Image, u.Image, "image", 2000); err != nil {
			return err
		}
		if u.Category != nil {
			if r.Kind == KindPackages && *u.Category != r.Category {
				return invalid("category", "a package's category is its type (%s) from Package.toml; change the type there", r.Category)
			}
			if err := set(&r.Category, u.Category, "category", 64); err != nil {
				return err
			}
		}
		if u.Image != nil && *u.Image != "" && !strings.HasPrefix(*u.Image, "https://") && !strings.HasPrefix(*u.Image, "/images/") {
			// "//host/x" would be a protocol-relative link to another site; only this Store's
			// own uploaded images may be relative.
			return invalid("image", "the image must be an https:// URL or an image uploaded to this Store (/images/…)")
		}
		if u.Tags != nil {
			tags, err := normalizeTags(*u.Tags)
			if err != nil {
				return err
			}
			r.Tags = tags
		}
		if u.Team != nil && !strings.EqualFold(*u.Team, r.Team.Name) {
			if err := s.requireTeam(ctx, q, a, r.Team, RoleAdmin, ScopeManage); err != nil {
				return err
			}
			to, err := s.teamByName(ctx, q, *u.Team)
			if err != nil {
				return err
			}
			if err := s.requireTeam(ctx, q, a, to, RoleAdmin, ScopeManage); err != nil {
				return err
			}
			r.Team = to
		}
		r.UpdatedAt = db.Time(db.Millis(s.now()))
		_, err = q.Exec(ctx, `UPDATE resources SET title = ?, short_description = ?, description = ?, category = ?, tags = ?, image = ?, search_text = ?, team_id = ?, updated_at = ? WHERE id = ?`,
			r.Title, r.ShortDescription, r.Description, r.Category, joinTags(r.Tags), r.Image, searchText(r), r.Team.ID, db.Millis(r.UpdatedAt), r.ID)
		return err
	})
	return r, err
}

var (
	markdown  = goldmark.New()
	sanitizer = bluemonday.UGCPolicy()
)

// RenderMarkdown renders user Markdown to HTML safe to embed in a page: goldmark escapes raw
// HTML by default and bluemonday removes anything a user could still smuggle in.
func RenderMarkdown(src string) string {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		return ""
	}
	return sanitizer.Sanitize(b.String())
}

// ResourceInput describes a resource created before its first upload.
type ResourceInput struct {
	Kind             string
	Name             string
	Team             string // team that will hold it; the actor's personal team when empty
	Title            string
	ShortDescription string
	Description      string
	Category         string // asset packs only; a package's category is its type from Package.toml
	Tags             []string
}

// CreateResource reserves a name for a team before the first upload (which otherwise creates the
// resource in the uploader's personal team). It needs the admin or owner role in that team.
func (s *Service) CreateResource(ctx context.Context, a Actor, in ResourceInput) (Resource, error) {
	if err := CheckKind(in.Kind); err != nil {
		return Resource{}, err
	}
	if err := CheckName(kindNoun(in.Kind), in.Name); err != nil {
		return Resource{}, err
	}
	if !a.LoggedIn() {
		return Resource{}, errLogin
	}
	tags, err := normalizeTags(in.Tags)
	if err != nil {
		return Resource{}, err
	}
	if in.Kind == KindPackages && in.Category != "" {
		return Resource{}, invalid("category", "a package's category is its type, read from Package.toml at the first upload; leave it empty")
	}
	if len(in.Title) > 100 || len(in.ShortDescription) > 300 || len(in.Description) > 100000 || len(in.Category) > 64 {
		return Resource{}, invalid("title", "title (100), short description (300), description (100000) or category (64) is too long")
	}
	var r Resource
	err = s.db.Tx(ctx, func(q db.Q) error {
		var t Team
		var err error
		if in.Team == "" {
			t, err = scanTeam(q.Row(ctx, `SELECT `+teamCols+` FROM teams t JOIN users u ON u.personal_team = t.id WHERE u.id = ?`, a.UserID))
		} else {
			t, err = s.teamByName(ctx, q, in.Team)
		}
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, t, RoleAdmin, ScopeManage); err != nil {
			return err
		}
		now := s.now()
		title := in.Title
		if title == "" {
			title = in.Name
		}
		r = Resource{Kind: in.Kind, Name: in.Name, Title: title, ShortDescription: in.ShortDescription, Description: in.Description,
			Category: in.Category, Tags: tags, Team: t, CreatedAt: now.Truncate(time.Millisecond), UpdatedAt: now.Truncate(time.Millisecond)}
		err = q.Row(ctx, `INSERT INTO resources (kind, name, name_lower, team_id, title, short_description, description, category, tags, search_text, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Kind, r.Name, strings.ToLower(r.Name), t.ID, r.Title, r.ShortDescription, r.Description, r.Category, joinTags(r.Tags), searchText(r),
			db.Millis(now), db.Millis(now)).Scan(&r.ID)
		if db.IsUnique(err) {
			return errf(http.StatusConflict, "the %s name %q is taken (names are unique ignoring case); choose another", kindNoun(in.Kind), in.Name)
		}
		return err
	})
	return r, err
}

// DeleteResource removes a resource and its releases. Team owners may delete a resource that has
// never been published (nobody can depend on it); operators may delete any resource, for
// moderation. Zips are removed by the orphan cleanup.
func (s *Service) DeleteResource(ctx context.Context, a Actor, kind, name string) error {
	return s.db.Tx(ctx, func(q db.Q) error {
		r, err := s.resource(ctx, q, kind, name)
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, r.Team, RoleOwner, ScopeManage); err != nil {
			if ok, _ := s.canSeePrivate(ctx, q, a, r.Team.ID); !r.Public && !ok {
				return errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
			}
			return err
		}
		var published int
		if err := q.Row(ctx, `SELECT COUNT(*) FROM releases WHERE resource_id = ? AND state = ?`, r.ID, StatePublished).Scan(&published); err != nil {
			return err
		}
		if published > 0 && !a.Operator {
			return errf(http.StatusConflict, "%s has %d published release(s) others may depend on; yank them instead, or ask a Store operator", name, published)
		}
		if _, err := q.Exec(ctx, `DELETE FROM releases WHERE resource_id = ?`, r.ID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `DELETE FROM resources WHERE id = ?`, r.ID)
		return err
	})
}
