package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nanoforge/nanoforge/internal/store/core"
)

// V1Item is a resource in the shape of the nanos world store v1 listing (nanos-spec §12.2).
// The Store keeps no ratings or page views: rating, ratingCount and views are always 0 and
// languages is empty, present so clients written for nanos world read every field they expect.
type V1Item struct {
	ID               int64      `json:"id"`
	Name             string     `json:"name"`
	Title            string     `json:"title"`
	Team             V1Team     `json:"team"`
	HeaderImage      string     `json:"headerImage"`
	HeaderImageSmall string     `json:"headerImageSmall"`
	ShortDescription string     `json:"shortDescription"`
	Category         string     `json:"category"`
	Rating           float64    `json:"rating"`
	RatingCount      int64      `json:"ratingCount"`
	Downloads        int64      `json:"downloads"`
	Views            int64      `json:"views"`
	LatestRelease    *V1Release `json:"latestRelease"`
	Tags             []string   `json:"tags"`
	Languages        []string   `json:"languages"`
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
	Version      string    `json:"version"`
	Size         int64     `json:"size"`
	SizeUnpacked int64     `json:"sizeUnpacked"`
	Hash         string    `json:"hash"`
	Date         time.Time `json:"date"`
	// MetaFile is the release's manifest; replacing its ".toml" with ".zip" gives the zip, as
	// nanos world clients derive the download.
	MetaFile     string         `json:"metaFile"`
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
	img := absImage(base, hit.Image)
	it := V1Item{ID: hit.ID, Name: hit.Name, Title: hit.Title, ShortDescription: hit.ShortDescription, Category: hit.Category,
		Downloads: hit.Downloads, Tags: hit.Tags, Languages: []string{}, HeaderImage: img, HeaderImageSmall: img,
		Team: V1Team{ID: hit.Team.ID, Title: hit.Team.Title, Image: absImage(base, hit.Team.Image), ImageSmall: absImage(base, hit.Team.Image)}}
	if rel := hit.Latest; rel != nil {
		lr := &V1Release{Version: rel.Version, Size: rel.Size, SizeUnpacked: rel.SizeUnpacked, Hash: rel.SHA256, Date: rel.PublishedAt,
			MetaFile:    base + V1FilePath(hit.Kind, hit.Name, rel.Version, ".toml"),
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

// absImage makes an image uploaded to the Store (a /images/ path) absolute.
func absImage(base, img string) string {
	if strings.HasPrefix(img, "/") {
		return base + img
	}
	return img
}

// V1FilePath is where a release's manifest (ext ".toml") or zip (".zip") is served for clients
// that derive one from the other.
func V1FilePath(kind, name, version, ext string) string {
	return "/store/v1/" + kind + "/" + name + "/releases/" + version + ext
}

// v1File serves GET /store/v1/{kind}/{name}/releases/{file}: "<version>.zip" is the download
// (counted, ranges, ETag) and "<version>.toml" the release's manifest.
func (h *Handler) v1File(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	switch {
	case strings.HasSuffix(file, ".zip"):
		r.SetPathValue("version", strings.TrimSuffix(file, ".zip"))
		h.download(w, r)
	case strings.HasSuffix(file, ".toml"):
		ctx := r.Context()
		rel, err := h.svc.GetRelease(ctx, actor(ctx), r.PathValue("kind"), r.PathValue("name"), strings.TrimSuffix(file, ".toml"))
		if err != nil {
			h.problem(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/toml; charset=utf-8")
		w.Header().Set("ETag", `"`+rel.ManifestSHA256+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if rel.State == core.StatePublished && rel.Channel != core.ChannelPrivate {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		http.ServeContent(w, r, "", publishedOr(rel), strings.NewReader(rel.Manifest))
	default:
		h.problem(w, r, &core.Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("no file %q; ask for <version>.zip or <version>.toml", file)})
	}
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
	h.mux.HandleFunc("GET /store/v1/{kind}/{name}/releases/{file}", h.v1File)
	h.mux.HandleFunc("HEAD /store/v1/{kind}/{name}/releases/{file}", h.v1File)
	h.api.OpenAPI().AddOperation(&huma.Operation{OperationID: "store-v1-file", Method: http.MethodGet, Path: "/store/v1/{kind}/{name}/releases/{file}",
		Tags: []string{"nanos world v1"}, Summary: "A release's zip or manifest by file name",
		Description: "`<version>.zip` is the download (as /api/v1/…/download) and `<version>.toml` the release's manifest; the listing's `metaFile` points here.",
		Parameters: []*huma.Param{
			{Name: "kind", In: "path", Required: true, Schema: &huma.Schema{Type: "string", Enum: []any{"packages", "assets"}}},
			{Name: "name", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}},
			{Name: "file", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}, Example: "1.2.3.zip"},
		},
		Responses: map[string]*huma.Response{
			"200":     {Description: "the zip or the manifest"},
			"default": {Description: "problem", Content: map[string]*huma.MediaType{"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}}}},
		}})
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
