package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/httpauth"
)

// packageCategories are the package types a package's category comes from (§12.1).
var packageCategories = []string{"game-mode", "script", "map", "loading-screen", "c-module"}

// sortOptions are the orders the search offers, as core names them.
var sortOptions = []struct{ Value, Label string }{
	{"relevance", "Relevance"}, {"downloads", "Most downloaded"}, {"updated", "Recently updated"}, {"newest", "Newest"},
}

// tokenLifetimes are the expiries offered when creating a token; two years is the maximum.
var tokenLifetimes = []struct{ Value, Label string }{
	{"7d", "7 days"}, {"30d", "30 days"}, {"90d", "90 days"}, {"1y", "1 year"}, {"2y", "2 years (maximum)"},
}

// roleIn is the actor's role in a team ("" for visitors and non-members; operators are owners).
func (h *Handler) roleIn(ctx context.Context, a core.Actor, teamID int64) (core.Role, error) {
	if !a.LoggedIn() {
		return "", nil
	}
	if a.Operator {
		return core.RoleOwner, nil
	}
	teams, err := h.svc.TeamsOf(ctx, a.UserID)
	if err != nil {
		return "", err
	}
	for _, t := range teams {
		if t.ID == teamID {
			return t.Role, nil
		}
	}
	return "", nil
}

// ---------------------------------------------------------------- browse and search

type pageLink struct {
	N       int
	URL     string
	Current bool
}

type browseData struct {
	Result     core.SearchResult
	Q          string
	Kind       string
	Category   string
	Tag        string
	Sort       string
	Categories []string
	Sorts      []struct{ Value, Label string }
	Pages      []pageLink
	Prev, Next string
	From, To   int
}

func (h *Handler) browse(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &browseData{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Category: q.Get("category"), Tag: q.Get("tag"), Sort: q.Get("sort"),
		Categories: packageCategories, Sorts: sortOptions}
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	if page > 10000 {
		page = 10000
	}
	title := "Browse packages and asset packs"
	if d.Q != "" {
		title = "Search: " + d.Q
	}
	v := h.newView(w, r, title)
	v.Data = d
	v.Form = q
	sq := core.SearchQuery{Q: d.Q, Kind: d.Kind, Category: d.Category, Tag: d.Tag, Sort: d.Sort, Page: page, PerPage: 20}
	if sq.Sort == "" && sq.Q == "" {
		// Without words relevance means nothing: show what people use most.
		sq.Sort = "downloads"
	}
	res, err := h.svc.Search(r.Context(), sq)
	if err != nil {
		h.fail(w, r, "browse", v, err)
		return
	}
	d.Result = res
	if len(res.Items) > 0 {
		d.From = (res.Page-1)*res.PerPage + 1
		d.To = d.From + len(res.Items) - 1
	}
	pages := (res.Total + res.PerPage - 1) / res.PerPage
	link := func(n int) string {
		qq := url.Values{}
		for _, k := range []string{"q", "kind", "category", "tag", "sort"} {
			if val := q.Get(k); val != "" {
				qq.Set(k, val)
			}
		}
		if n > 1 {
			qq.Set("page", strconv.Itoa(n))
		}
		if len(qq) == 0 {
			return "/search"
		}
		return "/search?" + qq.Encode()
	}
	if res.Page > 1 {
		d.Prev = link(res.Page - 1)
	}
	if res.Page < pages {
		d.Next = link(res.Page + 1)
	}
	// A window of page numbers around the current page keeps the bar short on huge results.
	for n := max(1, res.Page-3); n <= min(pages, res.Page+3); n++ {
		d.Pages = append(d.Pages, pageLink{N: n, URL: link(n), Current: n == res.Page})
	}
	h.render(w, r, "browse", v)
}

// ---------------------------------------------------------------- resource and release pages

type resourceData struct {
	core.ResourceView
	Role      core.Role
	CanUpload bool // members: upload drafts
	CanManage bool // owners and admins: publish, yank, edit
	Install   string
	Channels  []string
	Release   *core.Release // on the release page
	Download  string
	// MoveTeams are the teams the resource can be moved to (edit page): where the user is
	// owner or admin, the current team included.
	MoveTeams []core.Team
}

func (h *Handler) kindName(w http.ResponseWriter, r *http.Request) (string, string, bool) {
	kind, name := r.PathValue("kind"), r.PathValue("name")
	if err := core.CheckKind(kind); err != nil {
		h.notFound(w, r)
		return "", "", false
	}
	return kind, name, true
}

func (h *Handler) loadResource(ctx context.Context, kind, name string) (*resourceData, error) {
	a := actorOf(ctx)
	rv, err := h.svc.GetResource(ctx, a, kind, name)
	if err != nil {
		return nil, err
	}
	role, err := h.roleIn(ctx, a, rv.Team.ID)
	if err != nil {
		return nil, err
	}
	d := &resourceData{ResourceView: rv, Role: role, CanUpload: role.AtLeast(core.RoleMember), CanManage: role.AtLeast(core.RoleAdmin),
		Channels: []string{core.ChannelStable, core.ChannelBeta, core.ChannelAlpha, core.ChannelPrivate}}
	cliKind := "package"
	if kind == core.KindAssets {
		cliKind = "assets"
	}
	d.Install = "nanoforge --cli install " + cliKind + " " + rv.Name
	return d, nil
}

// DownloadURL is the API endpoint a release's zip is served from.
func DownloadURL(kind, name, version string) string {
	return "/api/v1/" + kind + "/" + url.PathEscape(name) + "/releases/" + url.PathEscape(version) + "/download"
}

func (h *Handler) resourcePage(w http.ResponseWriter, r *http.Request) {
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	d, err := h.loadResource(r.Context(), kind, name)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	v := h.newView(w, r, d.Title)
	v.Data = d
	if !d.Public {
		v.NoIndex = true
	}
	h.render(w, r, "resource", v)
}

func (h *Handler) releasePage(w http.ResponseWriter, r *http.Request) {
	h.showRelease(w, r, nil, nil)
}

// showRelease renders a release page, with a form's error and values when one failed.
func (h *Handler) showRelease(w http.ResponseWriter, r *http.Request, formErr error, form url.Values) {
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	version := r.PathValue("version")
	d, err := h.loadResource(r.Context(), kind, name)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	rel, err := h.svc.GetRelease(r.Context(), actorOf(r.Context()), kind, name, version)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	d.Release = &rel
	d.Download = DownloadURL(kind, d.Name, rel.Version)
	v := h.newView(w, r, d.Title+" "+rel.Version)
	v.Data = d
	v.Form = form
	if formErr != nil {
		h.fail(w, r, "release", v, formErr)
		return
	}
	h.render(w, r, "release", v)
}

// releaseAction runs a form on a release page: publish, yank or delete.
func (h *Handler) releaseAction(w http.ResponseWriter, r *http.Request, do func(a core.Actor, kind, name, version string) (string, string, error)) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	to, flash, err := do(a, kind, name, r.PathValue("version"))
	if err != nil {
		if core.StatusOf(err) == http.StatusNotFound {
			h.errorPage(w, r, err)
			return
		}
		h.showRelease(w, r, err, r.PostForm)
		return
	}
	h.redirect(w, r, to, flash)
}

func (h *Handler) publish(w http.ResponseWriter, r *http.Request) {
	h.releaseAction(w, r, func(a core.Actor, kind, name, version string) (string, string, error) {
		rel, err := h.svc.Publish(r.Context(), a, kind, name, version, r.PostFormValue("channel"))
		if err != nil {
			return "", "", err
		}
		return releasePath(kind, rel.Resource.Name, rel.Version), fmt.Sprintf("%s %s is published on the %s channel.", rel.Resource.Name, rel.Version, rel.Channel), nil
	})
}

func (h *Handler) yank(w http.ResponseWriter, r *http.Request) {
	h.releaseAction(w, r, func(a core.Actor, kind, name, version string) (string, string, error) {
		rel, err := h.svc.Yank(r.Context(), a, kind, name, version, r.PostFormValue("reason"))
		if err != nil {
			return "", "", err
		}
		return releasePath(kind, rel.Resource.Name, rel.Version), fmt.Sprintf("%s %s is yanked: installs no longer pick it, exact pins still download it.", rel.Resource.Name, rel.Version), nil
	})
}

func (h *Handler) deleteRelease(w http.ResponseWriter, r *http.Request) {
	h.releaseAction(w, r, func(a core.Actor, kind, name, version string) (string, string, error) {
		if err := h.svc.DeleteRelease(r.Context(), a, kind, name, version); err != nil {
			return "", "", err
		}
		return "/" + kind + "/" + name, fmt.Sprintf("The draft %s of %s is deleted.", version, name), nil
	})
}

func releasePath(kind, name, version string) string {
	return "/" + kind + "/" + name + "/releases/" + url.PathEscape(version)
}

// ---------------------------------------------------------------- edit a resource

// resourceForm is the common start of the pages holding a form that changes a resource: the
// visitor must be signed in, the resource must exist and allowed(d) must hold for its team role;
// otherwise the visitor is sent to sign in or shown an error page (denied names the needed role)
// and ok is false.
func (h *Handler) resourceForm(w http.ResponseWriter, r *http.Request, allowed func(*resourceData) bool, denied string) (kind string, d *resourceData, ok bool) {
	if _, ok := h.requireLogin(w, r); !ok {
		return "", nil, false
	}
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return "", nil, false
	}
	d, err := h.loadResource(r.Context(), kind, name)
	if err != nil {
		h.errorPage(w, r, err)
		return "", nil, false
	}
	if !allowed(d) {
		h.errorPage(w, r, &core.Error{Status: http.StatusForbidden, Msg: fmt.Sprintf(denied, d.Name, d.Team.Name)})
		return "", nil, false
	}
	return kind, d, true
}

func (h *Handler) editPage(w http.ResponseWriter, r *http.Request) {
	_, d, ok := h.resourceForm(w, r, func(d *resourceData) bool { return d.CanManage },
		"Editing %s needs the owner or admin role in team %s.")
	if !ok {
		return
	}
	var err error
	if d.MoveTeams, err = h.moveTeams(r.Context(), actorOf(r.Context()), d.Team); err != nil {
		h.errorPage(w, r, err)
		return
	}
	v := h.newView(w, r, "Edit "+d.Title)
	v.Data = d
	v.Form = editForm(d)
	h.render(w, r, "edit", v)
}

func (h *Handler) edit(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	up := core.ResourceUpdate{}
	str := func(k string) *string { s := strings.TrimSpace(f.Get(k)); return &s }
	up.Title, up.ShortDescription, up.Image = str("title"), str("short_description"), str("image")
	desc := f.Get("description")
	up.Description = &desc
	if kind == core.KindAssets {
		up.Category = str("category")
	}
	tags := strings.FieldsFunc(f.Get("tags"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' })
	up.Tags = &tags
	if team := strings.TrimSpace(f.Get("team")); team != "" {
		up.Team = &team
	}
	res, err := h.svc.UpdateResource(r.Context(), a, kind, name, up)
	if err != nil {
		h.failEdit(w, r, a, kind, name, f, err)
		return
	}
	h.redirect(w, r, "/"+kind+"/"+res.Name, "The details of "+res.Name+" are saved.")
}

// editForm is the edit page's form filled with the resource's current details.
func editForm(d *resourceData) url.Values {
	return url.Values{"title": {d.Title}, "short_description": {d.ShortDescription}, "description": {d.Description},
		"category": {d.Category}, "tags": {strings.Join(d.Tags, ", ")}, "image": {d.Image}, "team": {d.Team.Name}}
}

// failEdit shows the edit page again with err next to its field, keeping what the visitor sent
// (form; nil shows the resource's current details). A resource that no longer exists gets the
// error page instead, since there is nothing left to edit.
func (h *Handler) failEdit(w http.ResponseWriter, r *http.Request, a core.Actor, kind, name string, form url.Values, err error) {
	if core.StatusOf(err) == http.StatusNotFound {
		h.errorPage(w, r, err)
		return
	}
	ctx := r.Context()
	d, lerr := h.loadResource(ctx, kind, name)
	if lerr != nil {
		h.errorPage(w, r, lerr)
		return
	}
	d.MoveTeams, _ = h.moveTeams(ctx, a, d.Team)
	if form == nil {
		form = editForm(d)
	}
	v := h.newView(w, r, "Edit "+d.Title)
	v.Data, v.Form = d, form
	h.fail(w, r, "edit", v, err)
}

// uploadImage receives the image form of the edit page: the CSRF field first, then the file,
// which goes to the service as a stream (it reads at most one byte over the size limit).
func (h *Handler) uploadImage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	show := func(err error) { h.failEdit(w, r, a, kind, name, nil, err) }
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		show(&core.Error{Status: http.StatusUnsupportedMediaType, Field: "image_file", Msg: "The form must be sent as multipart/form-data with the image attached."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, core.MaxImageSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		show(&core.Error{Status: http.StatusBadRequest, Field: "image_file", Msg: "The form could not be read: " + err.Error()})
		return
	}
	csrfChecked := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			show(&core.Error{Status: http.StatusRequestEntityTooLarge, Field: "image_file", Msg: fmt.Sprintf("The image could not be received (%v); images are at most 1 MiB.", err)})
			return
		}
		switch part.FormName() {
		case httpauth.CSRFField:
			val, _ := io.ReadAll(io.LimitReader(part, 1<<10))
			if !h.csrfOK(r, string(val)) {
				h.csrfFailed(w, r)
				return
			}
			csrfChecked = true
		case "image_file":
			if !csrfChecked {
				h.csrfFailed(w, r)
				return
			}
			if part.FileName() == "" {
				show(&core.Error{Status: http.StatusUnprocessableEntity, Field: "image_file", Msg: "Choose an image file (PNG, JPEG, GIF or WebP, at most 1 MiB)."})
				return
			}
			res, err := h.svc.SetResourceImage(ctx, a, kind, name, part)
			if err != nil {
				if e := new(core.Error); errors.As(err, &e) && e.Field == "image" {
					e.Field = "image_file"
				} else if core.StatusOf(err) == http.StatusRequestEntityTooLarge {
					err = &core.Error{Status: http.StatusRequestEntityTooLarge, Field: "image_file", Msg: err.Error()}
				}
				show(err)
				return
			}
			h.redirect(w, r, "/"+kind+"/"+res.Name, "The image of "+res.Name+" is saved.")
			return
		}
	}
	if !csrfChecked {
		h.csrfFailed(w, r)
		return
	}
	show(&core.Error{Status: http.StatusUnprocessableEntity, Field: "image_file", Msg: "Choose an image file (PNG, JPEG, GIF or WebP, at most 1 MiB)."})
}

// ---------------------------------------------------------------- uploads

type uploadData struct {
	Kind, Name string
	Resource   *resourceData
	Channels   []string
	MaxSize    string
	// Teams the user may create resources in (owner or admin), personal team first.
	Teams []core.Team
}

func (h *Handler) uploadData(kind, name string, rd *resourceData) *uploadData {
	return &uploadData{Kind: kind, Name: name, Resource: rd, Channels: []string{core.ChannelStable, core.ChannelBeta, core.ChannelAlpha, core.ChannelPrivate},
		MaxSize: humanSize(h.svc.Config().MaxUploadSize)}
}

// moveTeams lists the teams a resource held by current can be moved to by the actor: its
// admin teams, with current first even for operators who are not in it.
func (h *Handler) moveTeams(ctx context.Context, a core.Actor, current core.Team) ([]core.Team, error) {
	teams, err := h.adminTeams(ctx, a)
	if err != nil {
		return nil, err
	}
	out := []core.Team{current}
	for _, t := range teams {
		if t.ID != current.ID {
			out = append(out, t)
		}
	}
	return out, nil
}

// adminTeams lists the teams where the actor is owner or admin: where it may create resources
// and to which it may move them.
func (h *Handler) adminTeams(ctx context.Context, a core.Actor) ([]core.Team, error) {
	teams, err := h.svc.TeamsOf(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	out := teams[:0]
	for _, t := range teams {
		if t.Role.AtLeast(core.RoleAdmin) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (h *Handler) newResourcePage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	d := h.uploadData("", "", nil)
	var err error
	if d.Teams, err = h.adminTeams(r.Context(), a); err != nil {
		h.errorPage(w, r, err)
		return
	}
	v := h.newView(w, r, "Create a resource")
	v.Data = d
	v.Form = url.Values{"kind": {core.KindPackages}, "team": {r.URL.Query().Get("team")}}
	h.render(w, r, "new", v)
}

func (h *Handler) uploadPage(w http.ResponseWriter, r *http.Request) {
	kind, d, ok := h.resourceForm(w, r, func(d *resourceData) bool { return d.CanUpload },
		"Uploading releases of %s needs membership of team %s.")
	if !ok {
		return
	}
	v := h.newView(w, r, "Upload a release of "+d.Title)
	v.Data = h.uploadData(kind, d.Name, d)
	h.render(w, r, "upload", v)
}

func (h *Handler) newResource(w http.ResponseWriter, r *http.Request) {
	h.receiveUpload(w, r, "", "")
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	kind, name, ok := h.kindName(w, r)
	if !ok {
		return
	}
	h.receiveUpload(w, r, kind, name)
}

// receiveUpload streams a multipart release form: the zip goes straight to a temporary file.
// The CSRF field must come before the file (forms send fields in document order, and the
// templates put it first), so nothing is spooled for a forged request. kind and name are
// empty for the create-a-resource form, which carries them as fields.
func (h *Handler) receiveUpload(w http.ResponseWriter, r *http.Request, kind, name string) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	page := "upload"
	if kind == "" {
		page = "new"
	}
	form := url.Values{}
	show := func(err error) {
		v := h.newView(w, r, "Create a resource")
		v.Form = form
		if page == "upload" {
			d, lerr := h.loadResource(ctx, kind, name)
			if lerr != nil {
				h.errorPage(w, r, lerr)
				return
			}
			v.Title = "Upload a release of " + d.Title
			v.Data = h.uploadData(kind, d.Name, d)
		} else {
			d := h.uploadData(form.Get("kind"), form.Get("name"), nil)
			d.Teams, _ = h.adminTeams(ctx, a)
			v.Data = d
		}
		h.fail(w, r, page, v, err)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		show(&core.Error{Status: http.StatusUnsupportedMediaType, Field: "file", Msg: "The form must be sent as multipart/form-data with the zip attached."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.svc.Config().MaxUploadSize+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		show(&core.Error{Status: http.StatusBadRequest, Field: "file", Msg: "The form could not be read: " + err.Error()})
		return
	}
	in := core.UploadInput{Kind: kind, Name: name}
	defer func() {
		if in.Spooled != nil {
			in.Spooled.Close()
		}
	}()
	csrfChecked := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			show(&core.Error{Status: http.StatusBadRequest, Field: "file", Msg: "The upload was interrupted: " + err.Error()})
			return
		}
		field := part.FormName()
		if field == "file" {
			if !csrfChecked {
				h.csrfFailed(w, r)
				return
			}
			if part.FileName() == "" {
				continue // the file input was left empty
			}
			if in.Spooled != nil {
				show(&core.Error{Status: http.StatusBadRequest, Field: "file", Msg: "Attach exactly one zip."})
				return
			}
			sp, err := h.svc.Spool(ctx, part)
			if err != nil {
				show(err)
				return
			}
			in.Spooled = sp
			continue
		}
		val, err := io.ReadAll(io.LimitReader(part, 200<<10))
		if err != nil {
			show(&core.Error{Status: http.StatusBadRequest, Msg: "The upload was interrupted: " + err.Error()})
			return
		}
		form.Set(field, string(val))
		if field == httpauth.CSRFField {
			if !h.csrfOK(r, string(val)) {
				h.csrfFailed(w, r)
				return
			}
			csrfChecked = true
		}
	}
	if !csrfChecked {
		h.csrfFailed(w, r)
		return
	}
	if kind == "" {
		in.Kind, in.Name, in.Team = form.Get("kind"), strings.TrimSpace(form.Get("name")), strings.TrimSpace(form.Get("team"))
		if err := core.CheckKind(in.Kind); err != nil {
			show(&core.Error{Status: http.StatusUnprocessableEntity, Field: "kind", Msg: "Choose whether this is a package or an asset pack."})
			return
		}
		if err := core.CheckName(strings.TrimSuffix(noun(in.Kind), " pack"), in.Name); err != nil {
			show(err)
			return
		}
		// A new resource must not take over an existing one by accident.
		if _, err := h.svc.GetResource(ctx, a, in.Kind, in.Name); err == nil || core.StatusOf(err) != http.StatusNotFound {
			if err == nil {
				err = &core.Error{Status: http.StatusConflict, Field: "name", Msg: fmt.Sprintf("%q already exists; upload a new release from its page instead, or choose another name.", in.Name)}
			}
			show(err)
			return
		}
	}
	in.Changelog, in.Channel = form.Get("changelog"), form.Get("channel")
	in.Publish = form.Get("publish") == "on"
	if in.Spooled == nil {
		show(&core.Error{Status: http.StatusUnprocessableEntity, Field: "file", Msg: "Attach the release zip (Package.toml or Assets.toml at its root)."})
		return
	}
	rel, err := h.svc.Upload(ctx, a, in)
	if err != nil {
		if core.StatusOf(err) == http.StatusNotFound {
			h.errorPage(w, r, err)
			return
		}
		if e := new(core.Error); errors.As(err, &e) && e.Field == "name" && page == "upload" {
			e.Field = "file"
		}
		show(err)
		return
	}
	msg := fmt.Sprintf("Uploaded %s %s as a draft on the %s channel; publish it when it is ready.", rel.Resource.Name, rel.Version, rel.Channel)
	if rel.State == core.StatePublished {
		msg = fmt.Sprintf("Uploaded and published %s %s on the %s channel.", rel.Resource.Name, rel.Version, rel.Channel)
	} else if rel.Notice != "" {
		msg = fmt.Sprintf("Uploaded %s %s on the %s channel, %s.", rel.Resource.Name, rel.Version, rel.Channel, rel.Notice)
	}
	if len(rel.Removed) > 0 {
		msg += fmt.Sprintf(" %d cache entries were left out of the archive.", len(rel.Removed))
	}
	h.redirect(w, r, releasePath(in.Kind, rel.Resource.Name, rel.Version), msg)
}

func noun(kind string) string {
	if kind == core.KindAssets {
		return "asset pack"
	}
	return "package"
}

// ---------------------------------------------------------------- accounts

func (h *Handler) signupPage(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "Create an account")
	if !v.Signup {
		v.Error = "Sign-up is closed on this Store; ask its operator for an account."
		v.Status = http.StatusForbidden
	}
	h.render(w, r, "signup", v)
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request) {
	if !h.csrfOK(r, "") {
		h.csrfFailed(w, r)
		return
	}
	f := r.PostForm
	v := h.newView(w, r, "Create an account")
	v.Form = url.Values{"name": {f.Get("name")}}
	name := strings.TrimSpace(f.Get("name"))
	if f.Get("password") != f.Get("password2") {
		h.fail(w, r, "signup", v, &core.Error{Status: http.StatusUnprocessableEntity, Field: "password2", Msg: "The two passwords differ; type the same password twice."})
		return
	}
	u, err := h.svc.CreateUser(r.Context(), name, f.Get("password"), false, true)
	if err != nil {
		h.fail(w, r, "signup", v, err)
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.fail(w, r, "signup", v, err)
		return
	}
	h.redirect(w, r, "/account/tokens", "Welcome, "+u.Name+"! Your account and your personal team are ready.")
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u core.User) error {
	// Signing in again (or as someone else) ends the session this browser had.
	if old := httpauth.From(r.Context()).Session; old != "" {
		if err := h.svc.EndSession(r.Context(), old); err != nil {
			return err
		}
	}
	secret, _, err := h.svc.CreateSession(r.Context(), u)
	if err != nil {
		return err
	}
	httpauth.SetSession(w, secret, h.opt.SecureCookies)
	return nil
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "Sign in")
	v.Form = url.Values{"next": {localPath(r.URL.Query().Get("next"))}}
	h.render(w, r, "login", v)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.csrfOK(r, "") {
		h.csrfFailed(w, r)
		return
	}
	f := r.PostForm
	v := h.newView(w, r, "Sign in")
	next := localPath(f.Get("next"))
	v.Form = url.Values{"name": {f.Get("name")}, "next": {next}}
	u, err := h.svc.Login(r.Context(), strings.TrimSpace(f.Get("name")), f.Get("password"), httpauth.ClientIP(r))
	if err != nil {
		h.fail(w, r, "login", v, err)
		return
	}
	if err := h.startSession(w, r, u); err != nil {
		h.fail(w, r, "login", v, err)
		return
	}
	h.redirect(w, r, next, "Signed in as "+u.Name+".")
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	a := httpauth.From(r.Context())
	if !a.Actor.LoggedIn() {
		h.redirect(w, r, "/", "")
		return
	}
	if !h.csrfOK(r, "") {
		h.csrfFailed(w, r)
		return
	}
	if err := h.svc.EndSession(r.Context(), a.Session); err != nil {
		h.errorPage(w, r, err)
		return
	}
	httpauth.ClearSession(w, h.opt.SecureCookies)
	h.redirect(w, r, "/", "Signed out.")
}

// ---------------------------------------------------------------- tokens

type tokensData struct {
	Tokens    []core.Token
	Lifetimes []struct{ Value, Label string }
	Scopes    []string
	// Secret is a token just created: shown on this one response and never again.
	Secret  string
	Created *core.Token
}

func (h *Handler) tokensView(w http.ResponseWriter, r *http.Request, a core.Actor) (*view, *tokensData, error) {
	v := h.newView(w, r, "Personal access tokens")
	v.NoIndex = true
	d := &tokensData{Lifetimes: tokenLifetimes, Scopes: []string{"read", "publish", "manage"}}
	v.Data = d
	toks, err := h.svc.ListTokens(r.Context(), a)
	if err != nil {
		return v, d, err
	}
	// Newest first: the one just created is on top.
	for i := len(toks) - 1; i >= 0; i-- {
		d.Tokens = append(d.Tokens, toks[i])
	}
	return v, d, nil
}

func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	v, _, err := h.tokensView(w, r, a)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	v.Form = url.Values{"expires": {"90d"}, "scope": {"read", "publish"}}
	h.render(w, r, "tokens", v)
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	create := func() (string, core.Token, error) {
		life, err := core.ParseLifetime(f.Get("expires"))
		if err != nil {
			return "", core.Token{}, err
		}
		if len(f["scope"]) == 0 {
			return "", core.Token{}, &core.Error{Status: http.StatusUnprocessableEntity, Field: "scopes", Msg: "Choose at least one scope for the token."}
		}
		sc, err := core.ParseScopes(f["scope"])
		if err != nil {
			return "", core.Token{}, err
		}
		return h.svc.CreateToken(r.Context(), a, "", f.Get("label"), sc, life)
	}
	secret, tok, cerr := create()
	v, d, err := h.tokensView(w, r, a)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	v.Form = url.Values{"label": {f.Get("label")}, "expires": {f.Get("expires")}, "scope": f["scope"]}
	if cerr != nil {
		h.fail(w, r, "tokens", v, cerr)
		return
	}
	v.Form = url.Values{"expires": {"90d"}, "scope": {"read", "publish"}}
	d.Secret, d.Created = secret, &tok
	v.Status = http.StatusCreated
	h.render(w, r, "tokens", v)
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = h.svc.RevokeToken(r.Context(), a, id)
	} else {
		err = &core.Error{Status: http.StatusNotFound, Msg: "No such token."}
	}
	if err != nil {
		v, _, lerr := h.tokensView(w, r, a)
		if lerr != nil {
			h.errorPage(w, r, lerr)
			return
		}
		h.fail(w, r, "tokens", v, err)
		return
	}
	h.redirect(w, r, "/account/tokens", "The token is revoked; requests using it now fail.")
}

// ---------------------------------------------------------------- teams

type teamsData struct {
	Teams []core.Team
}

// teamsView is the "Your teams" page with the user's teams, shown on its own and again under a
// team that could not be created.
func (h *Handler) teamsView(w http.ResponseWriter, r *http.Request, a core.Actor) (*view, error) {
	teams, err := h.svc.TeamsOf(r.Context(), a.UserID)
	if err != nil {
		return nil, err
	}
	v := h.newView(w, r, "Your teams")
	v.Data = &teamsData{Teams: teams}
	return v, nil
}

func (h *Handler) teamsPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	v, err := h.teamsView(w, r, a)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	h.render(w, r, "teams", v)
}

func (h *Handler) createTeam(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	t, err := h.svc.CreateTeam(r.Context(), a, strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("title")), strings.TrimSpace(f.Get("description")))
	if err != nil {
		v, lerr := h.teamsView(w, r, a)
		if lerr != nil {
			h.errorPage(w, r, lerr)
			return
		}
		v.Form = f
		h.fail(w, r, "teams", v, err)
		return
	}
	h.redirect(w, r, "/teams/"+t.Name, "Team "+t.Name+" is created; you are its owner.")
}

type teamData struct {
	Team      core.Team
	Members   []core.Member
	Role      core.Role
	CanManage bool // owners and admins manage members
	IsOwner   bool
	Roles     []core.Role
	Resources []core.TeamResource
	// Hidden are the drafts and Private releases of the team's resources (members only).
	Hidden []core.Release
	Owners int
	// CanDelete: owners of a non-personal team; the page says why deletion is refused.
	CanDelete bool
}

func (h *Handler) teamView(w http.ResponseWriter, r *http.Request, name string) (*view, error) {
	ctx := r.Context()
	a := actorOf(ctx)
	t, err := h.svc.Team(ctx, name)
	if err != nil {
		return nil, err
	}
	members, err := h.svc.Members(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	role, err := h.roleIn(ctx, a, t.ID)
	if err != nil {
		return nil, err
	}
	res, err := h.svc.TeamResources(ctx, a, t.Name)
	if err != nil {
		return nil, err
	}
	d := &teamData{Team: t, Members: members, Role: role, CanManage: role.AtLeast(core.RoleAdmin), IsOwner: role == core.RoleOwner,
		Roles: []core.Role{core.RoleMember, core.RoleAdmin, core.RoleOwner}, Resources: res, CanDelete: role == core.RoleOwner && !t.Personal}
	for _, r := range res {
		d.Hidden = append(d.Hidden, r.Hidden...)
	}
	for _, m := range members {
		if m.Role == core.RoleOwner {
			d.Owners++
		}
	}
	v := h.newView(w, r, "Team "+t.Title)
	v.Data = d
	return v, nil
}

func (h *Handler) teamPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.teamView(w, r, r.PathValue("team"))
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	h.render(w, r, "team", v)
}

// teamAction runs a member form and shows its error on the team page.
func (h *Handler) teamAction(w http.ResponseWriter, r *http.Request, do func(a core.Actor, team string) (string, error)) {
	a, ok := h.requireFormPost(w, r)
	if !ok {
		return
	}
	team := r.PathValue("team")
	flash, err := do(a, team)
	if err == errTeamGone {
		h.redirect(w, r, "/teams", flash)
		return
	}
	if err != nil {
		v, lerr := h.teamView(w, r, team)
		if lerr != nil {
			h.errorPage(w, r, lerr)
			return
		}
		v.Form = r.PostForm
		h.fail(w, r, "team", v, err)
		return
	}
	// The actor may have just left the team; its page is still public.
	h.redirect(w, r, "/teams/"+url.PathEscape(team), flash)
}

// errTeamGone tells teamAction that the team was deleted, so it redirects to the team list.
var errTeamGone = errors.New("team deleted")

func (h *Handler) deleteTeam(w http.ResponseWriter, r *http.Request) {
	h.teamAction(w, r, func(a core.Actor, team string) (string, error) {
		if r.PostForm.Get("confirm") != team {
			return "", &core.Error{Status: http.StatusUnprocessableEntity, Field: "confirm", Msg: fmt.Sprintf("Type the team name %q to confirm its deletion.", team)}
		}
		if err := h.svc.DeleteTeam(r.Context(), a, team); err != nil {
			return "", err
		}
		return "Team " + team + " is deleted.", errTeamGone
	})
}

func (h *Handler) editTeam(w http.ResponseWriter, r *http.Request) {
	h.teamAction(w, r, func(a core.Actor, team string) (string, error) {
		f := r.PostForm
		title, desc, image := strings.TrimSpace(f.Get("title")), strings.TrimSpace(f.Get("description")), strings.TrimSpace(f.Get("image"))
		switch {
		case len(title) > 100:
			return "", &core.Error{Status: http.StatusUnprocessableEntity, Field: "team_title", Msg: "The display name is longer than 100 characters."}
		case len(desc) > 2000:
			return "", &core.Error{Status: http.StatusUnprocessableEntity, Field: "team_description", Msg: "The description is longer than 2000 characters."}
		case image != "" && !strings.HasPrefix(image, "https://"):
			// Team logos are shown on pages; only https links keep them from mixed or script content.
			return "", &core.Error{Status: http.StatusUnprocessableEntity, Field: "team_image", Msg: "The logo must be an https:// URL."}
		}
		if title == "" {
			title = team
		}
		if _, err := h.svc.UpdateTeam(r.Context(), a, team, &title, &desc, &image); err != nil {
			return "", err
		}
		return "The details of team " + team + " are saved.", nil
	})
}

func (h *Handler) setMember(w http.ResponseWriter, r *http.Request) {
	h.teamAction(w, r, func(a core.Actor, team string) (string, error) {
		user := strings.TrimSpace(r.PostFormValue("user"))
		if user == "" {
			return "", &core.Error{Status: http.StatusUnprocessableEntity, Field: "user", Msg: "Give the user name of the member."}
		}
		role := core.Role(r.PostFormValue("role"))
		if err := h.svc.SetMember(r.Context(), a, team, user, role); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is now %s of team %s.", user, role, team), nil
	})
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) {
	h.teamAction(w, r, func(a core.Actor, team string) (string, error) {
		user := r.PathValue("user")
		if err := h.svc.RemoveMember(r.Context(), a, team, user); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is no longer in team %s.", user, team), nil
	})
}

// ---------------------------------------------------------------- servers

func (h *Handler) serversPage(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "Game servers online")
	list, err := h.svc.Servers(r.Context())
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	v.Data = list
	h.render(w, r, "servers", v)
}
