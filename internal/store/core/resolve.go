package core

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ResolveRequest asks for the install set of some packages and asset packs.
type ResolveRequest struct {
	Packages []string // "name" or "name@1.2.3"
	Assets   []string
	// Channel is the least stable channel allowed: stable, beta or alpha (default stable).
	Channel string
}

// ResolvedItem is one release to install.
type ResolvedItem struct {
	Kind                 string   `json:"kind"`
	Name                 string   `json:"name"`
	Version              string   `json:"version"`
	Channel              string   `json:"channel"`
	SHA256               string   `json:"sha256"`
	Size                 int64    `json:"size"`
	DownloadPath         string   `json:"-"`
	PackagesRequirements []string `json:"packages_requirements"`
	AssetsRequirements   []string `json:"assets_requirements"`
	Requested            bool     `json:"requested"`
}

// DownloadPath is the API path of a release's zip.
func DownloadPath(kind, name, version string) string {
	return "/api/v1/" + kind + "/" + name + "/releases/" + version + "/download"
}

type resolveKey struct{ kind, name string }

type resolver struct {
	s       *Service
	ctx     context.Context
	a       Actor
	maxRank int
	state   map[resolveKey]int // 1 visiting, 2 done
	chosen  map[resolveKey]*ResolvedItem
	out     []*ResolvedItem
	stack   []string
}

// Resolve returns the full install set for the request: every requested release and all their
// transitive requirements, requirements before the packages that need them. Unpinned names take
// the newest published, non-yanked release on an allowed channel; Private releases count only for
// team members reading with the read scope; a pin (name@version) takes exactly that release, even
// yanked.
func (s *Service) Resolve(ctx context.Context, a Actor, req ResolveRequest) ([]ResolvedItem, error) {
	rank := 1
	switch strings.ToLower(req.Channel) {
	case "", "stable":
	case "beta":
		rank = 2
	case "alpha":
		rank = 3
	default:
		return nil, invalid("channel", "unknown channel %q; use stable, beta or alpha", req.Channel)
	}
	if len(req.Packages)+len(req.Assets) == 0 {
		return nil, invalid("packages", "name at least one package or asset pack")
	}
	if len(req.Packages)+len(req.Assets) > 500 {
		return nil, invalid("packages", "at most 500 names per request")
	}
	r := &resolver{s: s, ctx: ctx, a: a, maxRank: rank, state: map[resolveKey]int{}, chosen: map[resolveKey]*ResolvedItem{}}
	// Pins first, so a pinned version wins over the latest that a requirement would pick.
	type want struct{ kind, spec string }
	var wants []want
	for _, p := range req.Packages {
		wants = append(wants, want{KindPackages, p})
	}
	for _, p := range req.Assets {
		wants = append(wants, want{KindAssets, p})
	}
	for _, w := range wants {
		if err := r.visit(w.kind, w.spec, "", true); err != nil {
			return nil, err
		}
	}
	out := make([]ResolvedItem, len(r.out))
	for i, it := range r.out {
		out[i] = *it
	}
	return out, nil
}

func (r *resolver) visit(kind, spec, requiredBy string, requested bool) error {
	name, pin, _ := strings.Cut(strings.TrimSpace(spec), "@")
	name = strings.ToLower(name)
	if err := CheckName(kindNoun(kind), name); err != nil {
		return err
	}
	key := resolveKey{kind, name}
	switch r.state[key] {
	case 1:
		return invalid("packages", "requirement cycle: %s → %s", strings.Join(r.stack, " → "), name)
	case 2:
		if requested {
			r.chosen[key].Requested = true
		}
		return nil
	}
	r.state[key] = 1
	r.stack = append(r.stack, name)
	item, err := r.pick(kind, name, pin, requiredBy)
	if err != nil {
		return err
	}
	item.Requested = requested
	for _, p := range item.PackagesRequirements {
		if err := r.visit(KindPackages, p, name, false); err != nil {
			return err
		}
	}
	for _, p := range item.AssetsRequirements {
		if err := r.visit(KindAssets, p, name, false); err != nil {
			return err
		}
	}
	r.stack = r.stack[:len(r.stack)-1]
	r.state[key] = 2
	r.chosen[key] = item
	r.out = append(r.out, item)
	return nil
}

func (r *resolver) pick(kind, name, pin, requiredBy string) (*ResolvedItem, error) {
	notFound := func(what string) error {
		if requiredBy != "" {
			return &Error{Status: http.StatusUnprocessableEntity, Field: kind, Msg: fmt.Sprintf("%s (required by %s) %s", name, requiredBy, what)}
		}
		return &Error{Status: http.StatusNotFound, Field: kind, Msg: fmt.Sprintf("%s %s", name, what)}
	}
	q := r.s.db.Q()
	res, err := r.s.resource(r.ctx, q, kind, name)
	if err != nil {
		if StatusOf(err) == http.StatusNotFound {
			return nil, notFound(fmt.Sprintf("is not a %s in the Store", kindNoun(kind)))
		}
		return nil, err
	}
	priv, err := r.s.canSeePrivate(r.ctx, q, r.a, res.Team.ID)
	if err != nil {
		return nil, err
	}
	if !res.Public && !priv {
		return nil, notFound(fmt.Sprintf("is not a %s in the Store", kindNoun(kind)))
	}
	rels, err := r.s.releases(r.ctx, q, res.ID)
	if err != nil {
		return nil, err
	}
	var c *semver.Constraints
	if pin != "" {
		if _, err := semver.StrictNewVersion(pin); err != nil {
			c, err = semver.NewConstraint(pin)
			if err != nil {
				return nil, invalid("packages", "%s@%s: %q is neither a version nor a version range", name, pin, pin)
			}
		}
	}
	for _, rel := range rels {
		if !rel.visible(priv) || rel.State != StatePublished {
			continue
		}
		ok := false
		switch {
		case pin != "" && c == nil:
			ok = rel.Version == pin
		case c != nil:
			ok = !rel.Yanked && channelRank(rel.Channel) <= r.maxRank && c.Check(semver.MustParse(rel.Version))
		default:
			ok = !rel.Yanked && (channelRank(rel.Channel) <= r.maxRank || rel.Channel == ChannelPrivate)
		}
		if ok {
			return &ResolvedItem{Kind: kind, Name: res.Name, Version: rel.Version, Channel: rel.Channel, SHA256: rel.SHA256, Size: rel.Size,
				DownloadPath: DownloadPath(kind, res.Name, rel.Version), PackagesRequirements: rel.PackagesRequirements, AssetsRequirements: rel.AssetsRequirements}, nil
		}
	}
	if pin != "" {
		return nil, notFound(fmt.Sprintf("has no published release matching %s", pin))
	}
	return nil, notFound(fmt.Sprintf("has no published release on the %s channel or a more stable one", []string{"", "stable", "beta", "alpha"}[r.maxRank]))
}
