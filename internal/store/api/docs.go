package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference page is rendered on the server from the OpenAPI description: it needs no
// JavaScript and no CDN, so it works on a Store without Internet access and in any browser.

type docOp struct {
	Method, Path, Summary, Description, ID string
	Params                                 []docParam
	Body                                   []string // request media types
	Secured                                bool
}

type docParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docTag struct {
	Name string
	Ops  []docOp
}

var docsTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} reference</title>
<style>
:root{color-scheme:light dark;--fg:#1c2230;--muted:#5b6475;--bg:#f6f7fb;--panel:#fff;--line:#dde1ea;--accent:#4338ca}
@media (prefers-color-scheme:dark){:root{--fg:#e7e9ef;--muted:#a3abbb;--bg:#12151c;--panel:#1a1e28;--line:#2c3342;--accent:#a5b4fc}}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:1rem 1.25rem}
a{color:var(--accent)}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;list-style:none}
section.op{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:.75rem 1rem;margin:.75rem 0}
h3{margin:.1rem 0;font-size:1rem;display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
code{font:14px ui-monospace,monospace}
.m{font:700 12px ui-monospace,monospace;padding:.15rem .45rem;border-radius:5px;color:#fff;background:#475569}
.GET{background:#047857}.POST{background:#1d4ed8}.PUT,.PATCH{background:#b45309}.DELETE{background:#b91c1c}.HEAD{background:#475569}
.muted{color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.25rem .5rem;border-top:1px solid var(--line);vertical-align:top}
</style>
</head>
<body>
<header>
<h1>{{.Title}} <span class="muted">{{.Version}}</span></h1>
<p>{{.Description}}</p>
<p>Machine-readable description: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1, also <a href="/api/openapi.yaml">YAML</a>). Import it into any OpenAPI tool to try requests.</p>
<nav aria-label="Sections"><ul>{{range .Tags}}<li><a href="#tag-{{.Name}}">{{.Name}}</a></li>{{end}}</ul></nav>
</header>
<main>
{{range .Tags}}
<h2 id="tag-{{.Name}}">{{.Name}}</h2>
{{range .Ops}}
<section class="op" id="op-{{.ID}}" aria-labelledby="h-{{.ID}}">
<h3 id="h-{{.ID}}"><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> <span>{{.Summary}}</span>{{if .Secured}} <span class="muted">(token)</span>{{end}}</h3>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<table><caption class="muted" style="text-align:left">Parameters</caption>
<thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Meaning</th></tr></thead><tbody>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}
</tbody></table>{{end}}
{{if .Body}}<p class="muted">Request body: {{range $i, $b := .Body}}{{if $i}}, {{end}}<code>{{$b}}</code>{{end}}</p>{{end}}
</section>
{{end}}
{{end}}
</main>
</body>
</html>
`))

// bodyFields lists the top-level fields of a request body schema, following one $ref.
func bodyFields(oa *huma.OpenAPI, mt *huma.MediaType) []docParam {
	if mt == nil || mt.Schema == nil {
		return nil
	}
	sch := mt.Schema
	if sch.Ref != "" && oa.Components != nil && oa.Components.Schemas != nil {
		sch = oa.Components.Schemas.Map()[strings.TrimPrefix(sch.Ref, "#/components/schemas/")]
		if sch == nil {
			return nil
		}
	}
	req := map[string]bool{}
	for _, r := range sch.Required {
		req[r] = true
	}
	names := make([]string, 0, len(sch.Properties))
	for n := range sch.Properties {
		if n != "$schema" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []docParam
	for _, n := range names {
		ps := sch.Properties[n]
		typ := ps.Type
		if len(ps.Enum) > 0 {
			var vals []string
			for _, e := range ps.Enum {
				if s, ok := e.(string); ok {
					vals = append(vals, s)
				}
			}
			typ += ": " + strings.Join(vals, ", ")
		}
		out = append(out, docParam{Name: n, In: "body", Type: typ, Description: ps.Description, Required: req[n]})
	}
	return out
}

// serveDocs renders the reference page from the OpenAPI description.
func (h *Handler) serveDocs(w http.ResponseWriter, r *http.Request) {
	oa := h.api.OpenAPI()
	byTag := map[string]*docTag{}
	add := func(method, path string, op *huma.Operation) {
		if op == nil || op.Hidden {
			return
		}
		d := docOp{Method: method, Path: path, Summary: op.Summary, Description: op.Description, ID: op.OperationID, Secured: len(op.Security) > 0}
		for _, p := range op.Parameters {
			dp := docParam{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required}
			if p.Schema != nil {
				dp.Type = p.Schema.Type
				if len(p.Schema.Enum) > 0 {
					var vals []string
					for _, e := range p.Schema.Enum {
						if s, ok := e.(string); ok {
							vals = append(vals, s)
						}
					}
					dp.Type += ": " + strings.Join(vals, ", ")
				}
			}
			d.Params = append(d.Params, dp)
		}
		if op.RequestBody != nil {
			for ct, mt := range op.RequestBody.Content {
				d.Body = append(d.Body, ct)
				d.Params = append(d.Params, bodyFields(oa, mt)...)
			}
			sort.Strings(d.Body)
		}
		tag := "Other"
		if len(op.Tags) > 0 {
			tag = op.Tags[0]
		}
		if byTag[tag] == nil {
			byTag[tag] = &docTag{Name: tag}
		}
		byTag[tag].Ops = append(byTag[tag].Ops, d)
	}
	paths := make([]string, 0, len(oa.Paths))
	for p := range oa.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		it := oa.Paths[p]
		add("GET", p, it.Get)
		add("POST", p, it.Post)
		add("PUT", p, it.Put)
		add("PATCH", p, it.Patch)
		add("DELETE", p, it.Delete)
	}
	tags := make([]docTag, 0, len(byTag))
	for _, t := range byTag {
		tags = append(tags, *t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	docsTmpl.Execute(w, map[string]any{"Title": oa.Info.Title, "Version": oa.Info.Version, "Description": oa.Info.Description, "Tags": tags})
}
