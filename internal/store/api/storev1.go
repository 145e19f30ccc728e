package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nanoforge/nanoforge/internal/store/core"
)

// V1Item is a resource in the shape of the nanos world store v1 listing (nanos-spec §12.2).
type V1Item struct {
	ID               int64      `json:"id"`
	Name             string     `json:"name"`
	Title            string     `json:"title"`
	Team             V1Team     `json:"team"`
	ShortDescription string     `json:"shortDescription"`
	Category         string     `json:"category"`
	Downloads        int64      `json:"downloads"`
	LatestRelease    *V1Release `json:"latestRelease"`
	Tags             []string   `json:"tags"`
	PublishedAt      time.Time  `json:"publishedAt"`
}

// V1Team is a team in the v1 listing.
type V1Team struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Image      string `json:"image"`
	ImageSmall string `json:"imageSmall"`
}

// V1Release is the latest release in the v1 listing.
type V1Release struct {
	Version      string         `json:"version"`
	Size         int64          `json:"size"`
	SizeUnpacked int64          `json:"sizeUnpacked"`
	Hash         string         `json:"hash"`
	Date         time.Time      `json:"date"`
	DownloadURL  string         `json:"downloadUrl"`
	Dependencies []V1Dependency `json:"dependencies"`
}

// V1Dependency is one requirement of a release.
type V1Dependency struct {
	Resource struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"resource"`
	Type    string `json:"type"`
	Version string `json:"version"`
}

// V1Page is a page of the v1 listing.
type V1Page struct {
	Items       []V1Item `json:"items"`
	TotalItems  int      `json:"totalItems"`
	TotalPages  int      `json:"totalPages"`
	CurrentPage int      `json:"currentPage"`
}

func v1Item(base string, hit core.SearchHit) V1Item {
	it := V1Item{ID: hit.ID, Name: hit.Name, Title: hit.Title, ShortDescription: hit.ShortDescription, Category: hit.Category,
		Downloads: hit.Downloads, Tags: hit.Tags,
		Team: V1Team{ID: hit.Team.ID, Title: hit.Team.Title, Image: hit.Team.Image, ImageSmall: hit.Team.Image}}
	if rel := hit.Latest; rel != nil {
		lr := &V1Release{Version: rel.Version, Size: rel.Size, SizeUnpacked: rel.SizeUnpacked, Hash: rel.SHA256, Date: rel.PublishedAt,
			DownloadURL: base + core.DownloadPath(hit.Kind, hit.Name, rel.Version), Dependencies: []V1Dependency{}}
		add := func(kind string, reqs []string) {
			for _, req := range reqs {
				var d V1Dependency
				name, ver := splitPin(req)
				d.Resource.Type, d.Resource.Name, d.Type, d.Version = kind, name, "required", ver
				lr.Dependencies = append(lr.Dependencies, d)
			}
		}
		add(core.KindPackages, rel.PackagesRequirements)
		add(core.KindAssets, rel.AssetsRequirements)
		it.LatestRelease = lr
		it.PublishedAt = rel.PublishedAt
	}
	return it
}

func splitPin(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func (h *Handler) registerStoreV1() {
	s := h.svc
	huma.Register(h.api, huma.Operation{OperationID: "store-v1-list", Method: http.MethodGet, Path: "/store/v1/{kind}", Tags: []string{"nanos world v1"},
		Summary: "List public resources (nanos world v1 shape)"},
		func(ctx context.Context, in *struct {
			Kind     string `path:"kind" enum:"packages,assets"`
			Page     int    `query:"page" minimum:"0"`
			PageSize int    `query:"pageSize" minimum:"0" maximum:"100"`
		}) (*struct{ Body V1Page }, error) {
			res, err := s.Search(ctx, core.SearchQuery{Kind: in.Kind, Sort: "downloads", Page: in.Page, PerPage: in.PageSize})
			if err != nil {
				return nil, h.humaErr(err)
			}
			out := V1Page{Items: []V1Item{}, TotalItems: res.Total, CurrentPage: res.Page, TotalPages: (res.Total + res.PerPage - 1) / res.PerPage}
			for _, hit := range res.Items {
				out.Items = append(out.Items, v1Item(baseFrom(ctx), hit))
			}
			return &struct{ Body V1Page }{out}, nil
		})
	huma.Register(h.api, huma.Operation{OperationID: "store-v1-get", Method: http.MethodGet, Path: "/store/v1/{kind}/{name}", Tags: []string{"nanos world v1"},
		Summary: "One public resource (nanos world v1 shape)"},
		func(ctx context.Context, in *kindName) (*struct{ Body V1Item }, error) {
			hit, err := s.PublicResource(ctx, in.Kind, in.Name)
			if err != nil {
				return nil, h.humaErr(err)
			}
			return &struct{ Body V1Item }{v1Item(baseFrom(ctx), hit)}, nil
		})
}
