package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
)

var secured = []map[string][]string{{"token": {}}}

// ---------------------------------------------------------------- shapes

// MeOutput is the signed-in account.
type MeOutput struct {
	Body struct {
		Name     string      `json:"name"`
		Operator bool        `json:"operator"`
		Teams    []core.Team `json:"teams"`
		Token    *TokenShape `json:"token,omitempty"`
	}
}

// TokenShape describes the token a request used.
type TokenShape struct {
	Label     string    `json:"label"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CredentialsInput carries a name and password.
type CredentialsInput struct {
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"64"`
		Password string `json:"password" minLength:"1" maxLength:"1024"`
	}
}

// LoginInput signs in and issues a token.
type LoginInput struct {
	Body struct {
		Name     string   `json:"name" minLength:"1" maxLength:"64"`
		Password string   `json:"password" minLength:"1" maxLength:"1024"`
		Label    string   `json:"label,omitempty" doc:"token label, default \"login\"; a new sign-in revokes the previous sign-in token with this label"`
		Expires  string   `json:"expires,omitempty" doc:"token lifetime like 12h or 7d (at most 30d), default 24h"`
		Scopes   []string `json:"scopes,omitempty" doc:"read, publish, manage; default all three"`
	}
}

// NewTokenOutput returns a token secret, shown once.
type NewTokenOutput struct {
	Body struct {
		Token string     `json:"token" doc:"the secret; it is shown only once"`
		Info  core.Token `json:"info"`
	}
}

// TokenInput creates a token.
type TokenInput struct {
	Body struct {
		Label   string   `json:"label" minLength:"1" maxLength:"100"`
		Expires string   `json:"expires" doc:"lifetime like 30d, 12h or 1y; at most 2y" example:"90d"`
		Scopes  []string `json:"scopes,omitempty" doc:"read, publish, manage; default read"`
	}
}

// TeamBody is a team with its members.
type TeamBody struct {
	core.Team
	Members []core.Member `json:"members"`
	// Resources are those the caller may see: public ones for everyone, and for members with
	// the read scope also unpublished resources, drafts and Private releases (hidden_releases).
	Resources []core.TeamResource `json:"resources"`
}

// ResourceBody is the resource shape of GET /api/v1/{kind}/{name}.
type ResourceBody struct {
	Kind             string        `json:"kind"`
	Name             string        `json:"name"`
	Title            string        `json:"title"`
	ShortDescription string        `json:"short_description"`
	Description      string        `json:"description"`
	DescriptionHTML  string        `json:"description_html"`
	Category         string        `json:"category"`
	Tags             []string      `json:"tags"`
	Image            string        `json:"image"`
	Team             TeamRef       `json:"team"`
	Downloads        int64         `json:"downloads"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
	Latest           core.Latest   `json:"latest"`
	Releases         []ReleaseBody `json:"releases"`
}

// TeamRef names a team.
type TeamRef struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Image string `json:"image"`
}

// ReleaseBody is a release in API responses.
type ReleaseBody struct {
	Kind                 string    `json:"kind"`
	Name                 string    `json:"name"`
	Version              string    `json:"version"`
	Channel              string    `json:"channel"`
	State                string    `json:"state"`
	Yanked               bool      `json:"yanked"`
	YankReason           string    `json:"yank_reason"`
	Changelog            string    `json:"changelog"`
	SHA256               string    `json:"sha256"`
	Size                 int64     `json:"size"`
	SizeUnpacked         int64     `json:"size_unpacked"`
	ManifestSHA256       string    `json:"manifest_sha256"`
	Downloads            int64     `json:"downloads"`
	CreatedAt            time.Time `json:"created_at"`
	PublishedAt          time.Time `json:"published_at,omitzero"`
	PackagesRequirements []string  `json:"packages_requirements"`
	AssetsRequirements   []string  `json:"assets_requirements"`
	DownloadURL          string    `json:"download_url"`
}

func releaseBody(base string, r core.Release) ReleaseBody {
	return ReleaseBody{
		Kind: r.Resource.Kind, Name: r.Resource.Name, Version: r.Version, Channel: r.Channel, State: r.State, Yanked: r.Yanked,
		YankReason: r.YankReason, Changelog: r.Changelog, SHA256: r.SHA256, Size: r.Size, SizeUnpacked: r.SizeUnpacked,
		ManifestSHA256: r.ManifestSHA256, Downloads: r.Downloads, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt,
		PackagesRequirements: r.PackagesRequirements, AssetsRequirements: r.AssetsRequirements,
		DownloadURL: base + core.DownloadPath(r.Resource.Kind, r.Resource.Name, r.Version),
	}
}

func resourceBody(base string, v core.ResourceView) ResourceBody {
	b := ResourceBody{
		Kind: v.Kind, Name: v.Name, Title: v.Title, ShortDescription: v.ShortDescription, Description: v.Description,
		DescriptionHTML: v.DescriptionHTML, Category: v.Category, Tags: v.Tags, Image: v.Image,
		Team: TeamRef{Name: v.Team.Name, Title: v.Team.Title, Image: v.Team.Image}, Downloads: v.Downloads,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Latest: v.Latest, Releases: []ReleaseBody{},
	}
	for _, r := range v.Releases {
		b.Releases = append(b.Releases, releaseBody(base, r))
	}
	return b
}

type kindName struct {
	Kind string `path:"kind" enum:"packages,assets"`
	Name string `path:"name" maxLength:"64"`
}

type kindNameVersion struct {
	Kind    string `path:"kind" enum:"packages,assets"`
	Name    string `path:"name" maxLength:"64"`
	Version string `path:"version" maxLength:"64"`
}

// ---------------------------------------------------------------- routes

func (h *Handler) register() {
	api := h.api
	s := h.svc
	tag := func(t string) []string { return []string{t} }

	huma.Register(api, huma.Operation{OperationID: "signup", Method: http.MethodPost, Path: "/api/v1/signup", Summary: "Create an account",
		Description: "Creates an account and its personal team. Refused when the operator closed sign-up.", Tags: tag("Accounts"), DefaultStatus: 201},
		func(ctx context.Context, in *CredentialsInput) (*struct{ Body core.User }, error) {
			u, err := s.CreateUser(ctx, in.Body.Name, in.Body.Password, false, true)
			return reply(h, u, err)
		})

	huma.Register(api, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/v1/login", Summary: "Sign in and get a short-lived token",
		Description: "Checks name and password (failures are throttled) and returns a sign-in token that works like a session: " +
			"it lives 24 hours unless `expires` asks for up to 30 days, signing in again with the same `label` revokes the previous " +
			"sign-in token of that label, and at most 5 sign-in tokens stay live per account (the oldest are revoked). " +
			"For long-lived automation (CI), create a token with POST /api/v1/tokens instead.",
		Tags: tag("Accounts"), DefaultStatus: 201},
		func(ctx context.Context, in *LoginInput) (*NewTokenOutput, error) {
			ip := ""
			if r, ok := ctx.Value(reqKey{}).(*http.Request); ok {
				ip = httpauth.ClientIP(r)
			}
			u, err := s.Login(ctx, in.Body.Name, in.Body.Password, ip)
			if err != nil {
				return nil, h.humaErr(err)
			}
			var life time.Duration
			if in.Body.Expires != "" {
				if life, err = core.ParseLifetime(in.Body.Expires); err != nil {
					return nil, h.humaErr(err)
				}
			}
			scopes := core.ScopeAll
			if len(in.Body.Scopes) > 0 {
				if scopes, err = core.ParseScopes(in.Body.Scopes); err != nil {
					return nil, h.humaErr(err)
				}
			}
			secret, t, err := s.LoginToken(ctx, u, in.Body.Label, scopes, life)
			if err != nil {
				return nil, h.humaErr(err)
			}
			out := &NewTokenOutput{}
			out.Body.Token, out.Body.Info = secret, t
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/api/v1/me", Summary: "The signed-in account",
		Tags: tag("Accounts"), Security: secured},
		func(ctx context.Context, in *struct{}) (*MeOutput, error) {
			au := httpauth.From(ctx)
			if !au.Actor.LoggedIn() {
				return nil, huma.NewError(http.StatusUnauthorized, "send `Authorization: Token <token>`; create a token in your account settings or with `nanoforge-store admin create-token`")
			}
			teams, err := s.TeamsOf(ctx, au.Actor.UserID)
			if err != nil {
				return nil, h.humaErr(err)
			}
			out := &MeOutput{}
			out.Body.Name, out.Body.Operator, out.Body.Teams = au.Actor.Name, au.Actor.Operator, teams
			if au.Token != nil {
				out.Body.Token = &TokenShape{Label: au.Token.Label, Scopes: au.Token.Scopes.Names(), ExpiresAt: au.Token.ExpiresAt}
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users", Summary: "List accounts (operators)",
		Tags: tag("Accounts"), Security: secured},
		func(ctx context.Context, in *struct{}) (*struct{ Body []core.User }, error) {
			us, err := s.ListUsers(ctx, actor(ctx))
			return reply(h, us, err)
		})

	// Tokens.
	huma.Register(api, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens", Summary: "List your tokens",
		Tags: tag("Tokens"), Security: secured},
		func(ctx context.Context, in *struct{}) (*struct{ Body []core.Token }, error) {
			ts, err := s.ListTokens(ctx, actor(ctx))
			return reply(h, ts, err)
		})
	huma.Register(api, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens", Summary: "Create a token",
		Description: "The secret is returned once; only its SHA-256 is stored.", Tags: tag("Tokens"), Security: secured, DefaultStatus: 201},
		func(ctx context.Context, in *TokenInput) (*NewTokenOutput, error) {
			life, err := core.ParseLifetime(in.Body.Expires)
			if err != nil {
				return nil, h.humaErr(err)
			}
			scopes, err := core.ParseScopes(in.Body.Scopes)
			if err != nil {
				return nil, h.humaErr(err)
			}
			secret, t, err := s.CreateToken(ctx, actor(ctx), "", in.Body.Label, scopes, life)
			if err != nil {
				return nil, h.humaErr(err)
			}
			out := &NewTokenOutput{}
			out.Body.Token, out.Body.Info = secret, t
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}", Summary: "Revoke a token",
		Tags: tag("Tokens"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id"`
		}) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.RevokeToken(ctx, actor(ctx), in.ID))
		})

	// Teams.
	huma.Register(api, huma.Operation{OperationID: "my-teams", Method: http.MethodGet, Path: "/api/v1/teams", Summary: "Your teams",
		Tags: tag("Teams"), Security: secured},
		func(ctx context.Context, in *struct{}) (*struct{ Body []core.Team }, error) {
			a := actor(ctx)
			if !a.LoggedIn() {
				return nil, huma.NewError(http.StatusUnauthorized, "send `Authorization: Token <token>`")
			}
			ts, err := s.TeamsOf(ctx, a.UserID)
			return reply(h, ts, err)
		})
	huma.Register(api, huma.Operation{OperationID: "create-team", Method: http.MethodPost, Path: "/api/v1/teams", Summary: "Create a team",
		Tags: tag("Teams"), Security: secured, DefaultStatus: 201},
		func(ctx context.Context, in *struct {
			Body struct {
				Name        string `json:"name" maxLength:"64"`
				Title       string `json:"title,omitempty" maxLength:"100"`
				Description string `json:"description,omitempty" maxLength:"5000"`
			}
		}) (*struct{ Body core.Team }, error) {
			t, err := s.CreateTeam(ctx, actor(ctx), in.Body.Name, in.Body.Title, in.Body.Description)
			return reply(h, t, err)
		})
	huma.Register(api, huma.Operation{OperationID: "get-team", Method: http.MethodGet, Path: "/api/v1/teams/{team}", Summary: "A team and its members",
		Tags: tag("Teams")},
		func(ctx context.Context, in *struct {
			Team string `path:"team"`
		}) (*struct{ Body TeamBody }, error) {
			t, err := s.Team(ctx, in.Team)
			if err != nil {
				return nil, h.humaErr(err)
			}
			ms, err := s.Members(ctx, in.Team)
			if err != nil {
				return nil, h.humaErr(err)
			}
			rs, err := s.TeamResources(ctx, actor(ctx), in.Team)
			if err != nil {
				return nil, h.humaErr(err)
			}
			if rs == nil {
				rs = []core.TeamResource{}
			}
			return &struct{ Body TeamBody }{TeamBody{t, ms, rs}}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-team", Method: http.MethodDelete, Path: "/api/v1/teams/{team}", Summary: "Delete a team",
		Description: "Owners (and operators) may delete a team that holds no resources: move or delete its resources first. " +
			"Personal teams go with their account.",
		Tags: tag("Teams"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *struct {
			Team string `path:"team"`
		}) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.DeleteTeam(ctx, actor(ctx), in.Team))
		})
	huma.Register(api, huma.Operation{OperationID: "update-team", Method: http.MethodPatch, Path: "/api/v1/teams/{team}", Summary: "Edit a team",
		Tags: tag("Teams"), Security: secured},
		func(ctx context.Context, in *struct {
			Team string `path:"team"`
			Body struct {
				Title       *string `json:"title,omitempty" maxLength:"100"`
				Description *string `json:"description,omitempty" maxLength:"5000"`
				Image       *string `json:"image,omitempty" maxLength:"2000"`
			}
		}) (*struct{ Body core.Team }, error) {
			t, err := s.UpdateTeam(ctx, actor(ctx), in.Team, in.Body.Title, in.Body.Description, in.Body.Image)
			return reply(h, t, err)
		})
	huma.Register(api, huma.Operation{OperationID: "set-member", Method: http.MethodPut, Path: "/api/v1/teams/{team}/members/{user}", Summary: "Add a member or change a role",
		Tags: tag("Teams"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *struct {
			Team string `path:"team"`
			User string `path:"user"`
			Body struct {
				Role string `json:"role" enum:"owner,admin,member"`
			}
		}) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.SetMember(ctx, actor(ctx), in.Team, in.User, core.Role(in.Body.Role)))
		})
	huma.Register(api, huma.Operation{OperationID: "remove-member", Method: http.MethodDelete, Path: "/api/v1/teams/{team}/members/{user}", Summary: "Remove a member",
		Tags: tag("Teams"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *struct {
			Team string `path:"team"`
			User string `path:"user"`
		}) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.RemoveMember(ctx, actor(ctx), in.Team, in.User))
		})

	// Resources and releases.
	huma.Register(api, huma.Operation{OperationID: "get-resource", Method: http.MethodGet, Path: "/api/v1/{kind}/{name}", Summary: "A resource and its releases",
		Description: "Drafts and Private releases are listed only for team members using a token with the read scope.", Tags: tag("Resources")},
		func(ctx context.Context, in *kindName) (*struct{ Body ResourceBody }, error) {
			return h.resourceReply(ctx, actor(ctx), in.Kind, in.Name, nil)
		})
	huma.Register(api, huma.Operation{OperationID: "update-resource", Method: http.MethodPatch, Path: "/api/v1/{kind}/{name}", Summary: "Edit a resource's details",
		Tags: tag("Resources"), Security: secured},
		func(ctx context.Context, in *struct {
			Kind string `path:"kind" enum:"packages,assets"`
			Name string `path:"name" maxLength:"64"`
			Body struct {
				Title            *string   `json:"title,omitempty"`
				ShortDescription *string   `json:"short_description,omitempty"`
				Description      *string   `json:"description,omitempty" doc:"Markdown"`
				Category         *string   `json:"category,omitempty"`
				Tags             *[]string `json:"tags,omitempty"`
				Image            *string   `json:"image,omitempty"`
				Team             *string   `json:"team,omitempty" doc:"move to this team (owner of the current team, admin of the new one)"`
			}
		}) (*struct{ Body ResourceBody }, error) {
			a := actor(ctx)
			b := in.Body
			_, err := s.UpdateResource(ctx, a, in.Kind, in.Name, core.ResourceUpdate{Title: b.Title, ShortDescription: b.ShortDescription,
				Description: b.Description, Category: b.Category, Tags: b.Tags, Image: b.Image, Team: b.Team})
			return h.resourceReply(ctx, a, in.Kind, in.Name, err)
		})
	huma.Register(api, huma.Operation{OperationID: "create-resource", Method: http.MethodPost, Path: "/api/v1/{kind}", Summary: "Create a resource before its first upload",
		Description: "Reserves a name for a team (default: your personal team); needs the admin or owner role there. Without this, the first upload creates the resource in the uploader's personal team.",
		Tags:        tag("Resources"), Security: secured, DefaultStatus: 201},
		func(ctx context.Context, in *struct {
			Kind string `path:"kind" enum:"packages,assets"`
			Body struct {
				Name             string   `json:"name" maxLength:"64"`
				Team             string   `json:"team,omitempty" maxLength:"64"`
				Title            string   `json:"title,omitempty" maxLength:"100"`
				ShortDescription string   `json:"short_description,omitempty" maxLength:"300"`
				Description      string   `json:"description,omitempty" doc:"Markdown"`
				Category         string   `json:"category,omitempty" maxLength:"64" doc:"asset packs only"`
				Tags             []string `json:"tags,omitempty" maxItems:"20"`
			}
		}) (*struct{ Body ResourceBody }, error) {
			a := actor(ctx)
			b := in.Body
			_, err := s.CreateResource(ctx, a, core.ResourceInput{Kind: in.Kind, Name: b.Name, Team: b.Team, Title: b.Title,
				ShortDescription: b.ShortDescription, Description: b.Description, Category: b.Category, Tags: b.Tags})
			return h.resourceReply(ctx, a, in.Kind, b.Name, err)
		})
	huma.Register(api, huma.Operation{OperationID: "delete-resource", Method: http.MethodDelete, Path: "/api/v1/{kind}/{name}", Summary: "Delete a resource",
		Description: "Team owners may delete a resource that was never published; operators may delete any.", Tags: tag("Resources"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *kindName) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.DeleteResource(ctx, actor(ctx), in.Kind, in.Name))
		})
	huma.Register(api, huma.Operation{OperationID: "get-release", Method: http.MethodGet, Path: "/api/v1/{kind}/{name}/releases/{version}", Summary: "One release",
		Tags: tag("Releases")},
		func(ctx context.Context, in *kindNameVersion) (*struct{ Body ReleaseBody }, error) {
			r, err := s.GetRelease(ctx, actor(ctx), in.Kind, in.Name, in.Version)
			return h.releaseReply(ctx, r, err)
		})
	huma.Register(api, huma.Operation{OperationID: "publish-release", Method: http.MethodPost, Path: "/api/v1/{kind}/{name}/releases/{version}/publish",
		Summary: "Publish a draft or change a release's channel", Tags: tag("Releases"), Security: secured},
		func(ctx context.Context, in *struct {
			Kind    string `path:"kind" enum:"packages,assets"`
			Name    string `path:"name" maxLength:"64"`
			Version string `path:"version" maxLength:"64"`
			Body    *struct {
				Channel string `json:"channel,omitempty" enum:"Stable,Beta,Alpha,Private,stable,beta,alpha,private"`
			}
		}) (*struct{ Body ReleaseBody }, error) {
			ch := ""
			if in.Body != nil {
				ch = in.Body.Channel
			}
			r, err := s.Publish(ctx, actor(ctx), in.Kind, in.Name, in.Version, ch)
			return h.releaseReply(ctx, r, err)
		})
	huma.Register(api, huma.Operation{OperationID: "yank-release", Method: http.MethodPost, Path: "/api/v1/{kind}/{name}/releases/{version}/yank",
		Summary: "Yank a published release", Description: "A yanked release is never chosen as latest but stays downloadable by exact version.",
		Tags: tag("Releases"), Security: secured},
		func(ctx context.Context, in *struct {
			Kind    string `path:"kind" enum:"packages,assets"`
			Name    string `path:"name" maxLength:"64"`
			Version string `path:"version" maxLength:"64"`
			Body    struct {
				Reason string `json:"reason" maxLength:"1000"`
			}
		}) (*struct{ Body ReleaseBody }, error) {
			r, err := s.Yank(ctx, actor(ctx), in.Kind, in.Name, in.Version, in.Body.Reason)
			return h.releaseReply(ctx, r, err)
		})
	huma.Register(api, huma.Operation{OperationID: "delete-release", Method: http.MethodDelete, Path: "/api/v1/{kind}/{name}/releases/{version}",
		Summary: "Delete a draft release", Tags: tag("Releases"), Security: secured, DefaultStatus: 204},
		func(ctx context.Context, in *kindNameVersion) (*struct{}, error) {
			return nil, h.humaErrOrNil(s.DeleteRelease(ctx, actor(ctx), in.Kind, in.Name, in.Version))
		})

	// Search and resolve.
	huma.Register(api, huma.Operation{OperationID: "search", Method: http.MethodGet, Path: "/api/v1/search", Summary: "Search packages and asset packs",
		Tags: tag("Resources")},
		func(ctx context.Context, in *struct {
			Q        string `query:"q" maxLength:"200"`
			Kind     string `query:"kind" enum:"packages,assets,"`
			Category string `query:"category" maxLength:"64"`
			Tag      string `query:"tag" maxLength:"64"`
			Team     string `query:"team" maxLength:"64"`
			Sort     string `query:"sort" enum:"relevance,downloads,newest,updated,"`
			Page     int    `query:"page" minimum:"0"`
			PerPage  int    `query:"per_page" minimum:"0" maximum:"100"`
		}) (*struct{ Body SearchBody }, error) {
			res, err := s.Search(ctx, core.SearchQuery{Q: in.Q, Kind: in.Kind, Category: in.Category, Tag: in.Tag, Team: in.Team, Sort: in.Sort, Page: in.Page, PerPage: in.PerPage})
			if err != nil {
				return nil, h.humaErr(err)
			}
			return &struct{ Body SearchBody }{searchBody(baseFrom(ctx), res)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "resolve", Method: http.MethodPost, Path: "/api/v1/resolve", Summary: "Resolve an install set",
		Description: "Returns the requested releases and all their transitive requirements, requirements first.", Tags: tag("Resources")},
		func(ctx context.Context, in *struct {
			Body struct {
				Packages []string `json:"packages,omitempty" maxItems:"500"`
				Assets   []string `json:"assets,omitempty" maxItems:"500"`
				Channel  string   `json:"channel,omitempty" enum:"stable,beta,alpha,Stable,Beta,Alpha,"`
			}
		}) (*struct{ Body ResolveBody }, error) {
			items, err := s.Resolve(ctx, actor(ctx), core.ResolveRequest{Packages: in.Body.Packages, Assets: in.Body.Assets, Channel: in.Body.Channel})
			if err != nil {
				return nil, h.humaErr(err)
			}
			out := ResolveBody{Items: []ResolveItem{}}
			for _, it := range items {
				out.Items = append(out.Items, ResolveItem{it, baseFrom(ctx) + it.DownloadPath})
			}
			return &struct{ Body ResolveBody }{out}, nil
		})

	// Server list.
	huma.Register(api, huma.Operation{OperationID: "list-servers", Method: http.MethodGet, Path: "/api/v1/servers", Summary: "Game servers online",
		Tags: tag("Servers")},
		func(ctx context.Context, in *struct{}) (*struct{ Body []core.GameServer }, error) {
			gs, err := s.Servers(ctx)
			return reply(h, gs, err)
		})
	huma.Register(api, huma.Operation{OperationID: "announce-server", Method: http.MethodPost, Path: "/api/v1/servers", Summary: "Announce a game server (heartbeat)",
		Description: "Servers send this every 30 seconds; entries not heard from within the TTL drop off the list. The address is the sender's IP with the given port.",
		Tags:        tag("Servers")},
		func(ctx context.Context, in *struct {
			Body struct {
				Name        string `json:"name" maxLength:"100"`
				Description string `json:"description,omitempty" maxLength:"500"`
				Port        int    `json:"port" minimum:"1" maximum:"65535"`
				Players     int    `json:"players" minimum:"0"`
				MaxPlayers  int    `json:"max_players" minimum:"0"`
				Map         string `json:"map,omitempty"`
				GameMode    string `json:"game_mode,omitempty"`
				Version     string `json:"version,omitempty"`
			}
		}) (*struct{ Body core.GameServer }, error) {
			ip := "unknown"
			if r, ok := ctx.Value(reqKey{}).(*http.Request); ok {
				ip = httpauth.ClientIP(r)
			}
			b := in.Body
			addr := ip + ":" + itoa(b.Port)
			if strings.Contains(ip, ":") {
				addr = "[" + ip + "]:" + itoa(b.Port)
			}
			g, err := s.Announce(ctx, core.GameServer{Address: addr, Name: b.Name, Description: b.Description, Players: b.Players,
				MaxPlayers: b.MaxPlayers, Map: b.Map, GameMode: b.GameMode, Version: b.Version})
			if err != nil {
				return nil, h.humaErr(err)
			}
			return &struct{ Body core.GameServer }{g}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "health", Method: http.MethodGet, Path: "/api/healthz", Summary: "Health check",
		Description: "200 when the Store reaches its database; for load balancers and monitoring.", Tags: tag("Operations")},
		func(ctx context.Context, in *struct{}) (*struct {
			Body struct {
				Status string `json:"status"`
			}
		}, error) {
			if err := s.DB().PingContext(ctx); err != nil {
				return nil, huma.NewError(http.StatusServiceUnavailable, "the database is unreachable: "+err.Error())
			}
			out := &struct {
				Body struct {
					Status string `json:"status"`
				}
			}{}
			out.Body.Status = "ok"
			return out, nil
		})

	h.registerStoreV1()
}

// reply is the answer of an operation whose body is the service's result as it is: the result,
// or the service's error mapped to its HTTP status.
func reply[T any](h *Handler, v T, err error) (*struct{ Body T }, error) {
	if err != nil {
		return nil, h.humaErr(err)
	}
	return &struct{ Body T }{v}, nil
}

// releaseReply is the answer of an operation on one release: the release with its download
// address, or the service's error mapped to its HTTP status.
func (h *Handler) releaseReply(ctx context.Context, r core.Release, err error) (*struct{ Body ReleaseBody }, error) {
	if err != nil {
		return nil, h.humaErr(err)
	}
	return &struct{ Body ReleaseBody }{releaseBody(baseFrom(ctx), r)}, nil
}

// resourceReply is the answer of get-resource and of the operations that change a resource (err
// is the change's error, nil for get-resource): the resource as get-resource shows it
// afterwards, or the error of the change or of reading it back.
func (h *Handler) resourceReply(ctx context.Context, a core.Actor, kind, name string, err error) (*struct{ Body ResourceBody }, error) {
	if err != nil {
		return nil, h.humaErr(err)
	}
	v, err := h.svc.GetResource(ctx, a, kind, name)
	if err != nil {
		return nil, h.humaErr(err)
	}
	return &struct{ Body ResourceBody }{resourceBody(baseFrom(ctx), v)}, nil
}

// humaErrOrNil maps a service error to its HTTP status for operations without a body; nil stays nil.
func (h *Handler) humaErrOrNil(err error) error {
	if err == nil {
		return nil
	}
	return h.humaErr(err)
}

// SearchBody is a page of search results.
type SearchBody struct {
	Items   []SearchItem `json:"items"`
	Total   int          `json:"total"`
	Page    int          `json:"page"`
	PerPage int          `json:"per_page"`
}

// SearchItem is one search hit.
type SearchItem struct {
	Kind             string       `json:"kind"`
	Name             string       `json:"name"`
	Title            string       `json:"title"`
	ShortDescription string       `json:"short_description"`
	Category         string       `json:"category"`
	Tags             []string     `json:"tags"`
	Image            string       `json:"image"`
	Team             TeamRef      `json:"team"`
	Downloads        int64        `json:"downloads"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
	Latest           *ReleaseBody `json:"latest_release,omitempty"`
}

func searchBody(base string, res core.SearchResult) SearchBody {
	out := SearchBody{Items: []SearchItem{}, Total: res.Total, Page: res.Page, PerPage: res.PerPage}
	for _, hit := range res.Items {
		it := SearchItem{Kind: hit.Kind, Name: hit.Name, Title: hit.Title, ShortDescription: hit.ShortDescription, Category: hit.Category,
			Tags: hit.Tags, Image: hit.Image, Team: TeamRef{hit.Team.Name, hit.Team.Title, hit.Team.Image}, Downloads: hit.Downloads,
			CreatedAt: hit.CreatedAt, UpdatedAt: hit.UpdatedAt}
		if hit.Latest != nil {
			rb := releaseBody(base, *hit.Latest)
			it.Latest = &rb
		}
		out.Items = append(out.Items, it)
	}
	return out
}

// ResolveBody is the install set.
type ResolveBody struct {
	Items []ResolveItem `json:"items"`
}

// ResolveItem is one release to install.
type ResolveItem struct {
	core.ResolvedItem
	DownloadURL string `json:"download_url"`
}

type reqKey struct{}

func itoa(n int) string { return strconv.Itoa(n) }
