package storeclient

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Me describes the account a token belongs to (`GET /api/v1/me`).
type Me struct {
	Name  string    `json:"name"`
	Teams []Team    `json:"teams"`
	Token TokenInfo `json:"token"`
}

// Team is a Store team as the API returns it. Fields absent from an answer stay empty.
type Team struct {
	ID    any    `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Title string `json:"title,omitempty"`
	Role  string `json:"role,omitempty"`
}

// TokenInfo describes the token used for a request.
type TokenInfo struct {
	Label     string     `json:"label"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Me returns the account the client's token belongs to; a bad, expired or revoked token is a
// *Problem with status 401.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var me Me
	if err := c.getJSON(ctx, "/api/v1/me", nil, &me); err != nil {
		return nil, err
	}
	return &me, nil
}

// Channel names accepted by resolve, from most to least stable.
const (
	ChannelStable = "stable"
	ChannelBeta   = "beta"
	ChannelAlpha  = "alpha"
)

// ResolveRequest asks the Store for the full install set of some packages and asset packs.
// Names may carry a pin, `name@1.2.3`. Channel is the least stable channel allowed.
type ResolveRequest struct {
	Packages []string `json:"packages"`
	Assets   []string `json:"assets"`
	Channel  string   `json:"channel,omitempty"`
}

// ResolvedItem is one release to install. Items arrive in install order: requirements first.
type ResolvedItem struct {
	Kind                 Kind     `json:"kind"`
	Name                 string   `json:"name"`
	Version              string   `json:"version"`
	Channel              string   `json:"channel"`
	SHA256               string   `json:"sha256"`
	Size                 int64    `json:"size"`
	DownloadURL          string   `json:"download_url"`
	PackagesRequirements []string `json:"packages_requirements"`
	AssetsRequirements   []string `json:"assets_requirements"`
	Requested            bool     `json:"requested"`
}

type resolveResponse struct {
	Items []ResolvedItem `json:"items"`
}

// Resolve returns the install set for req (`POST /api/v1/resolve`). A missing name is a
// *Problem (404 or 422) naming it and who required it.
func (c *Client) Resolve(ctx context.Context, req ResolveRequest) ([]ResolvedItem, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if req.Packages == nil {
		req.Packages = []string{}
	}
	if req.Assets == nil {
		req.Assets = []string{}
	}
	var out resolveResponse
	if err := c.sendJSON(ctx, "POST", "/api/v1/resolve", req, &out); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// Resource is a package or asset pack with its releases (`GET /api/v1/{kind}/{name}`).
type Resource struct {
	Kind             Kind      `json:"kind"`
	Name             string    `json:"name"`
	Title            string    `json:"title"`
	ShortDescription string    `json:"short_description"`
	Description      string    `json:"description"`
	Category         string    `json:"category"`
	Tags             []string  `json:"tags"`
	Team             any       `json:"team"`
	Downloads        int64     `json:"downloads"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Latest           Latest    `json:"latest"`
	Releases         []Release `json:"releases"`
}

// Latest holds the newest published version per channel; empty when a channel has none.
type Latest struct {
	Stable string `json:"stable"`
	Beta   string `json:"beta"`
	Alpha  string `json:"alpha"`
}

// Release is one version of a resource.
type Release struct {
	Version              string     `json:"version"`
	Channel              string     `json:"channel"`
	State                string     `json:"state"`
	Yanked               bool       `json:"yanked"`
	YankReason           string     `json:"yank_reason"`
	Changelog            string     `json:"changelog"`
	SHA256               string     `json:"sha256"`
	Size                 int64      `json:"size"`
	CreatedAt            time.Time  `json:"created_at"`
	PublishedAt          *time.Time `json:"published_at"`
	PackagesRequirements []string   `json:"packages_requirements"`
	AssetsRequirements   []string   `json:"assets_requirements"`
}

// TeamName returns a printable team name from the loosely typed team field.
func (r *Resource) TeamName() string { return teamName(r.Team) }

func teamName(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case map[string]any:
		for _, k := range []string{"title", "name", "id"} {
			if s, ok := v[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// Resource returns one resource with all its releases.
func (c *Client) Resource(ctx context.Context, kind Kind, name string) (*Resource, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var r Resource
	if err := c.getJSON(ctx, "/api/v1/"+string(kind)+"/"+pathName(name), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Publish publishes a draft release; channel may be empty to keep the release's channel.
func (c *Client) Publish(ctx context.Context, kind Kind, name, version, channel string) (*Release, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var body any = struct{}{}
	if channel != "" {
		body = map[string]string{"channel": channel}
	}
	var rel Release
	path := "/api/v1/" + string(kind) + "/" + pathName(name) + "/releases/" + pathName(version) + "/publish"
	if err := c.sendJSON(ctx, "POST", path, body, &rel); err != nil {
		return nil, err
	}
	return &rel, nil
}

// Yank marks a release as yanked: resolve no longer picks it unless it is pinned.
func (c *Client) Yank(ctx context.Context, kind Kind, name, version, reason string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	path := "/api/v1/" + string(kind) + "/" + pathName(name) + "/releases/" + pathName(version) + "/yank"
	return c.sendJSON(ctx, "POST", path, map[string]string{"reason": reason}, nil)
}

// DeleteRelease deletes a draft release.
func (c *Client) DeleteRelease(ctx context.Context, kind Kind, name, version string) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	path := "/api/v1/" + string(kind) + "/" + pathName(name) + "/releases/" + pathName(version)
	return c.sendJSON(ctx, "DELETE", path, nil, nil)
}

// StoreItem is a resource in the nanos-compatible listing shape (`/store/v1`).
type StoreItem struct {
	ID               any            `json:"id"`
	Name             string         `json:"name"`
	Title            string         `json:"title"`
	Team             StoreTeam      `json:"team"`
	ShortDescription string         `json:"shortDescription"`
	Category         string         `json:"category"`
	Downloads        int64          `json:"downloads"`
	LatestRelease    *LatestRelease `json:"latestRelease"`
	Tags             []string       `json:"tags"`
	PublishedAt      *time.Time     `json:"publishedAt"`
}

// StoreTeam is the team object of the listing shape.
type StoreTeam struct {
	ID         any    `json:"id"`
	Title      string `json:"title"`
	Image      string `json:"image"`
	ImageSmall string `json:"imageSmall"`
}

// LatestRelease is the newest release in the listing shape.
type LatestRelease struct {
	Version      string       `json:"version"`
	Size         int64        `json:"size"`
	SizeUnpacked int64        `json:"sizeUnpacked"`
	Hash         string       `json:"hash"`
	Date         *time.Time   `json:"date"`
	Dependencies []Dependency `json:"dependencies"`
}

// Dependency is one requirement in the listing shape.
type Dependency struct {
	Resource struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"resource"`
	Type    string `json:"type"`
	Version string `json:"version"`
}

// StorePage is one page of the listing.
type StorePage struct {
	Items       []StoreItem `json:"items"`
	TotalItems  int         `json:"totalItems"`
	TotalPages  int         `json:"totalPages"`
	CurrentPage int         `json:"currentPage"`
}

// List returns one page of resources of a kind (`GET /store/v1/{kind}`); page starts at 1.
func (c *Client) List(ctx context.Context, kind Kind, page, pageSize int) (*StorePage, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	q := url.Values{}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if pageSize > 0 {
		q.Set("pageSize", strconv.Itoa(pageSize))
	}
	var out StorePage
	if err := c.getJSON(ctx, "/store/v1/"+string(kind), q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Item returns one resource in the listing shape (`GET /store/v1/{kind}/{name}`).
func (c *Client) Item(ctx context.Context, kind Kind, name string) (*StoreItem, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var out StoreItem
	if err := c.getJSON(ctx, "/store/v1/"+string(kind)+"/"+pathName(name), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SearchQuery filters and orders a search. Empty fields are left out.
type SearchQuery struct {
	Q        string
	Kind     Kind
	Category string
	Tag      string
	Team     string
	Sort     string // relevance, downloads, newest or updated
	Page     int
	PerPage  int
}

// SearchResult is one page of search hits. Items use the listing shape.
type SearchResult struct {
	Items   []SearchItem `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

// SearchItem is a search hit. It carries both spellings the Store may use for the kind and
// the description so that either shape decodes.
type SearchItem struct {
	StoreItem
	Kind             Kind     `json:"kind"`
	Type             string   `json:"type"`
	ShortDescription string   `json:"short_description"`
	Latest           *Release `json:"latest_release"`
}

// Version returns the newest published version the hit carries in either shape, or "".
func (s *SearchItem) Version() string {
	if s.Latest != nil && s.Latest.Version != "" {
		return s.Latest.Version
	}
	if s.LatestRelease != nil {
		return s.LatestRelease.Version
	}
	return ""
}

// Description returns whichever short description the hit carries.
func (s *SearchItem) Description() string {
	if s.StoreItem.ShortDescription != "" {
		return s.StoreItem.ShortDescription
	}
	return s.ShortDescription
}

// Search runs a full-text search (`GET /api/v1/search`).
func (c *Client) Search(ctx context.Context, sq SearchQuery) (*SearchResult, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", sq.Q)
	set("kind", string(sq.Kind))
	set("category", sq.Category)
	set("tag", sq.Tag)
	set("team", sq.Team)
	set("sort", sq.Sort)
	if sq.Page > 0 {
		q.Set("page", strconv.Itoa(sq.Page))
	}
	if sq.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(sq.PerPage))
	}
	var out SearchResult
	if err := c.getJSON(ctx, "/api/v1/search", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
