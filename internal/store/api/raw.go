package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
)

// registerRaw adds the streaming endpoints (upload, download) that bypass huma's body handling
// and documents them in the OpenAPI description by hand.
func (h *Handler) registerRaw() {
	h.mux.HandleFunc("POST /store/v1/{kind}/{name}/releases", h.upload)
	h.mux.HandleFunc("POST /api/v1/{kind}/{name}/releases", h.upload)
	h.mux.HandleFunc("GET /api/v1/{kind}/{name}/releases/{version}/download", h.download)
	h.mux.HandleFunc("HEAD /api/v1/{kind}/{name}/releases/{version}/download", h.download)
	h.mux.HandleFunc("PUT /api/v1/{kind}/{name}/image", h.putImage)
	h.mux.HandleFunc("GET /images/{file}", h.image)
	h.mux.HandleFunc("HEAD /images/{file}", h.image)

	oa := h.api.OpenAPI()
	kindParam := &huma.Param{Name: "kind", In: "path", Required: true, Schema: &huma.Schema{Type: "string", Enum: []any{"packages", "assets"}}}
	nameParam := &huma.Param{Name: "name", In: "path", Required: true, Schema: &huma.Schema{Type: "string", MaxLength: ptr(64)}}
	verParam := &huma.Param{Name: "version", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}
	problem := map[string]*huma.MediaType{"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/ErrorModel"}}}
	uploadBody := &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type: "object", Required: []string{"file"},
		Properties: map[string]*huma.Schema{
			"file":      {Type: "string", ContentEncoding: "binary", Description: "the release zip with Package.toml or Assets.toml at its root"},
			"changelog": {Type: "string", Description: "Markdown changelog"},
			"channel":   {Type: "string", Enum: []any{"Stable", "Beta", "Alpha", "Private"}, Description: "default Stable"},
			"publish":   {Type: "string", Enum: []any{"true", "false"}, Description: "publish at once (team admins and owners)"},
			"team":      {Type: "string", Description: "for the first release of a new name: the team that will hold the resource (you need the admin or owner role there); default your personal team"},
		}}}}}
	uploadResp := map[string]*huma.Response{
		"201":     {Description: "release created (draft unless published)", Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Type: "object"}}}},
		"default": {Description: "problem", Content: problem},
	}
	for _, p := range []string{"/store/v1/{kind}/{name}/releases", "/api/v1/{kind}/{name}/releases"} {
		id := "upload-release"
		if strings.HasPrefix(p, "/store") {
			id = "store-v1-upload-release"
		}
		oa.AddOperation(&huma.Operation{OperationID: id, Method: http.MethodPost, Path: p, Tags: []string{"Releases"},
			Summary:     "Upload a release",
			Description: "Streams a zip; the version comes from its manifest. The first upload of a free name creates the resource in the uploader's personal team. Compatible with the nanos world store GitHub action.",
			Parameters:  []*huma.Param{kindParam, nameParam}, RequestBody: uploadBody, Responses: uploadResp, Security: secured})
	}
	oa.AddOperation(&huma.Operation{OperationID: "download-release", Method: http.MethodGet, Path: "/api/v1/{kind}/{name}/releases/{version}/download",
		Tags: []string{"Releases"}, Summary: "Download a release zip",
		Description: "ETag is the zip's SHA-256; Range requests are supported. Private releases and drafts need a team member's token with the read scope.",
		Parameters:  []*huma.Param{kindParam, nameParam, verParam},
		Responses: map[string]*huma.Response{
			"200":     {Description: "the zip", Content: map[string]*huma.MediaType{"application/zip": {Schema: &huma.Schema{Type: "string", ContentEncoding: "binary"}}}},
			"206":     {Description: "a byte range of the zip"},
			"304":     {Description: "not modified (If-None-Match)"},
			"default": {Description: "problem", Content: problem},
		}})
	imgTypes := map[string]*huma.MediaType{}
	for _, ct := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
		imgTypes[ct] = &huma.MediaType{Schema: &huma.Schema{Type: "string", ContentEncoding: "binary"}}
	}
	oa.AddOperation(&huma.Operation{OperationID: "put-resource-image", Method: http.MethodPut, Path: "/api/v1/{kind}/{name}/image",
		Tags: []string{"Resources"}, Summary: "Upload a resource's image",
		Description: fmt.Sprintf("The request body is the image itself: PNG, JPEG, GIF or WebP (checked by content), at most %d bytes and %d pixels per side. "+
			"It is stored by its SHA-256 and the resource's `image` becomes `/images/<sha256>.<ext>` on this Store. Team owners and admins, manage scope.",
			core.MaxImageSize, core.MaxImageDimension),
		Parameters:  []*huma.Param{kindParam, nameParam},
		RequestBody: &huma.RequestBody{Required: true, Content: imgTypes},
		Responses: map[string]*huma.Response{
			"200":     {Description: "the resource with its new image, as GET /api/v1/{kind}/{name} shows it", Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/ResourceBody"}}}},
			"default": {Description: "problem", Content: problem},
		}, Security: secured})
	oa.AddOperation(&huma.Operation{OperationID: "get-image", Method: http.MethodGet, Path: "/images/{file}",
		Tags: []string{"Resources"}, Summary: "An uploaded image",
		Description: "Content-addressed, so cached for a year (`Cache-Control: public, max-age=31536000, immutable`, ETag = SHA-256).",
		Parameters:  []*huma.Param{{Name: "file", In: "path", Required: true, Schema: &huma.Schema{Type: "string"}}},
		Responses: map[string]*huma.Response{
			"200":     {Description: "the image", Content: imgTypes},
			"304":     {Description: "not modified (If-None-Match)"},
			"default": {Description: "problem", Content: problem},
		}})
}

func ptr[T any](v T) *T { return &v }

// putImage stores the request body as a resource's image.
func (h *Handler) putImage(w http.ResponseWriter, r *http.Request) {
	// The service reads at most one byte over the limit and refuses the image with 413.
	ctx := r.Context()
	res, err := h.svc.SetResourceImage(ctx, actor(ctx), r.PathValue("kind"), r.PathValue("name"), r.Body)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	// Answer with the resource as GET /api/v1/{kind}/{name} shows it.
	v, err := h.svc.GetResource(ctx, actor(ctx), res.Kind, res.Name)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resourceBody(baseFrom(ctx), v))
}

// image serves an uploaded image. Its URL names its hash, so it can be cached forever.
func (h *Handler) image(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	obj, ct, err := h.svc.OpenImage(r.Context(), file)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	defer obj.Close()
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", `"`+file[:strings.IndexByte(file, '.')]+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", obj.ModTime(), obj)
}

// UploadResponse is the answer to an upload (the contract shared with the CLI and the action).
type UploadResponse struct {
	Resource core.ResourceRef `json:"resource"`
	Version  string           `json:"version"`
	Channel  string           `json:"channel"`
	State    string           `json:"state"`
	SHA256   string           `json:"sha256"`
	Size     int64            `json:"size"`
	URL      string           `json:"url"`
	Removed  []string         `json:"removed,omitempty"`
	// Notice says why a release asked to be published was kept as a draft (the uploader is
	// a member of the team, not an admin or owner).
	Notice string `json:"notice,omitempty"`
}

// upload reads the multipart form as a stream: the file part goes straight to a temporary file
// (hashed on the way) whatever order the fields come in.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := actor(ctx)
	kind, name := r.PathValue("kind"), r.PathValue("name")
	if !a.LoggedIn() {
		h.problem(w, r, &core.Error{Status: http.StatusUnauthorized, Msg: "uploading needs `Authorization: Token <token>` with the publish scope"})
		return
	}
	if err := core.CheckKind(kind); err != nil {
		h.problem(w, r, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		h.problem(w, r, &core.Error{Status: http.StatusUnsupportedMediaType, Msg: "send the release as multipart/form-data with a `file` field (the zip) and a `changelog` field"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.svc.Config().MaxUploadSize+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		h.problem(w, r, &core.Error{Status: http.StatusBadRequest, Msg: "cannot read the multipart form: " + err.Error()})
		return
	}
	in := core.UploadInput{Kind: kind, Name: name}
	defer func() {
		if in.Spooled != nil {
			in.Spooled.Close()
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			h.problem(w, r, &core.Error{Status: http.StatusBadRequest, Msg: "the upload was interrupted: " + err.Error()})
			return
		}
		field := part.FormName()
		if field == "file" {
			if in.Spooled != nil {
				h.problem(w, r, &core.Error{Status: http.StatusBadRequest, Field: "file", Msg: "send exactly one `file` field"})
				return
			}
			sp, err := h.svc.Spool(ctx, part)
			if err != nil {
				h.problem(w, r, err)
				return
			}
			in.Spooled = sp
			continue
		}
		val, err := io.ReadAll(io.LimitReader(part, 200<<10))
		if err != nil {
			h.problem(w, r, &core.Error{Status: http.StatusBadRequest, Msg: "the upload was interrupted: " + err.Error()})
			return
		}
		switch field {
		case "changelog":
			in.Changelog = string(val)
		case "channel":
			in.Channel = string(val)
		case "publish":
			in.Publish = strings.EqualFold(strings.TrimSpace(string(val)), "true")
		case "team":
			in.Team = strings.TrimSpace(string(val))
		}
	}
	if in.Spooled == nil {
		h.problem(w, r, &core.Error{Status: http.StatusBadRequest, Field: "file", Msg: "the form has no `file` field; attach the release zip as `file`"})
		return
	}
	rel, err := h.svc.Upload(ctx, a, in)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	out := UploadResponse{Resource: rel.Resource, Version: rel.Version, Channel: rel.Channel, State: rel.State, SHA256: rel.SHA256,
		Size: rel.Size, URL: h.baseURL(r) + ReleasePage(rel.Resource.Kind, rel.Resource.Name, rel.Version), Removed: rel.Removed, Notice: rel.Notice}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", h.baseURL(r)+"/api/v1/"+rel.Resource.Kind+"/"+rel.Resource.Name+"/releases/"+rel.Version)
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(out)
}

// download serves a release zip with http.ServeContent (ranges, If-None-Match) and counts it
// once per client and window; range continuations and HEAD requests are not counted.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := actor(ctx)
	kind, name, version := r.PathValue("kind"), r.PathValue("name"), r.PathValue("version")
	rel, obj, err := h.svc.OpenDownload(ctx, a, kind, name, version)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	defer obj.Close()
	w.Header().Set("ETag", `"`+rel.SHA256+`"`)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rel.Resource.Name + "-" + rel.Version + ".zip"}))
	w.Header().Set("X-Checksum-SHA256", rel.SHA256)
	if rel.State == core.StatePublished && rel.Channel != core.ChannelPrivate {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	if r.Method == http.MethodGet && r.Header.Get("If-None-Match") == "" {
		rg := r.Header.Get("Range")
		if rg == "" || strings.HasPrefix(rg, "bytes=0-") {
			client := a.Client
			if client == "" {
				client = httpauth.ClientKey(r)
			}
			if err := h.svc.CountDownload(context.WithoutCancel(ctx), rel, client); err != nil {
				h.log.Warn("download count failed", "release", name+"@"+version, "err", err)
			}
		}
	}
	// A local file goes out as *os.File, which lets the kernel copy it (sendfile).
	var body io.ReadSeeker = obj
	if f, ok := obj.(interface{ OSFile() *os.File }); ok {
		body = f.OSFile()
	}
	http.ServeContent(w, r, "", publishedOr(rel), body)
}

func publishedOr(rel core.Release) time.Time {
	if !rel.PublishedAt.IsZero() {
		return rel.PublishedAt
	}
	return rel.CreatedAt
}
