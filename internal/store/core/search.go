package core

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/nanoforge/nanoforge/internal/store/db"
)

// SearchQuery filters and orders public resources.
type SearchQuery struct {
	Q        string // words matched in name, title, descriptions and tags
	Kind     string
	Category string
	Tag      string
	Team     string
	Sort     string // relevance (default), downloads, newest, updated
	Page     int    // from 1
	PerPage  int    // 1..100, default 20
}

// SearchHit is one resource in a result page, with its latest public release.
type SearchHit struct {
	Resource
	Latest *Release `json:"latest_release,omitempty"`
}

// SearchResult is a page of resources.
type SearchResult struct {
	Items   []SearchHit `json:"items"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
}

// matchTokens splits each query word into its letter-and-digit runs ("pkg-42" → pkg, 42),
// the same way both full-text indexes split text, dropping words with nothing searchable. The
// tokens hold only letters and digits, so they are safe inside FTS5 and tsquery syntax.
func matchTokens(words []string) [][]string {
	var out [][]string
	for _, w := range words {
		toks := strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(toks) > 0 {
			out = append(out, toks)
		}
	}
	return out
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Search lists public resources. Both dialects share one query: words must all appear in the
// resource's search text; relevance puts an exact name first, then name prefixes, title and tag
// matches, then downloads.
func (s *Service) Search(ctx context.Context, sq SearchQuery) (SearchResult, error) {
	if sq.Page < 1 {
		sq.Page = 1
	}
	if sq.PerPage < 1 {
		sq.PerPage = 20
	}
	if sq.PerPage > 100 {
		sq.PerPage = 100
	}
	if sq.Kind != "" {
		if err := CheckKind(sq.Kind); err != nil {
			return SearchResult{}, invalid("kind", "unknown kind %q; use packages or assets", sq.Kind)
		}
	}
	where := []string{"r.public = 1"}
	var args []any
	if sq.Kind != "" {
		where = append(where, "r.kind = ?")
		args = append(args, sq.Kind)
	}
	if sq.Category != "" {
		where = append(where, "r.category = ?")
		args = append(args, sq.Category)
	}
	if sq.Tag != "" {
		where = append(where, `r.tags LIKE ? ESCAPE '\'`)
		args = append(args, "%,"+likeEscape(strings.ToLower(sq.Tag))+",%")
	}
	if sq.Team != "" {
		where = append(where, "t.name_lower = ?")
		args = append(args, strings.ToLower(sq.Team))
	}
	q := strings.ToLower(strings.TrimSpace(sq.Q))
	words := strings.Fields(q)
	if len(words) > 8 {
		words = words[:8]
	}
	if match := matchTokens(words); len(match) > 0 {
		// Drive the query from the full-text index, not from the (unselective) public index:
		// the unary plus keeps the planner from using an index for that term.
		where[0] = "+r.public = 1"
		// Both dialects match whole words and word prefixes from a full-text index: FTS5 on
		// SQLite, a GIN tsvector index on PostgreSQL. Every word must match.
		if s.db.Dialect == db.SQLite {
			var parts []string
			for _, toks := range match {
				parts = append(parts, `"`+strings.Join(toks, " ")+`"*`)
			}
			where = append(where, `r.id IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?)`)
			args = append(args, strings.Join(parts, " AND "))
		} else {
			var parts []string
			for _, toks := range match {
				parts = append(parts, strings.Join(toks, " <-> ")+":*")
			}
			where = append(where, `to_tsvector('simple', r.search_text) @@ to_tsquery('simple', ?)`)
			args = append(args, strings.Join(parts, " & "))
		}
	} else if len(words) > 0 {
		// Only punctuation: nothing can match.
		where = append(where, "1 = 0")
	}
	from := ` FROM resources r WHERE ` + strings.Join(where, " AND ")
	if sq.Team != "" {
		from = ` FROM resources r JOIN teams t ON t.id = r.team_id WHERE ` + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.Q().Row(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return SearchResult{}, err
	}
	score := ""
	var scoreArgs []any
	if q != "" {
		score = `(CASE WHEN r.name_lower = ? THEN 1000 ELSE 0 END + CASE WHEN r.name_lower LIKE ? ESCAPE '\' THEN 200 ELSE 0 END +
			CASE WHEN lower(r.title) LIKE ? ESCAPE '\' THEN 100 ELSE 0 END + CASE WHEN r.tags LIKE ? ESCAPE '\' THEN 50 ELSE 0 END +
			CASE WHEN lower(r.short_description) LIKE ? ESCAPE '\' THEN 20 ELSE 0 END)`
		e := likeEscape(q)
		scoreArgs = []any{q, e + "%", "%" + e + "%", "%," + e + ",%", "%" + e + "%"}
	}
	order := "r.downloads DESC, r.name_lower"
	if q != "" {
		order = score + " DESC, " + order
	}
	switch sq.Sort {
	case "", "relevance":
	case "downloads":
		order, scoreArgs = "r.downloads DESC, r.name_lower", nil
	case "newest":
		order, scoreArgs = "r.created_at DESC, r.id DESC", nil
	case "updated":
		order, scoreArgs = "r.updated_at DESC, r.id DESC", nil
	default:
		return SearchResult{}, invalid("sort", "unknown sort %q; use relevance, downloads, newest or updated", sq.Sort)
	}
	// Sort only ids (a narrow sorter is much cheaper than sorting whole rows), then load the page.
	rows, err := s.db.Q().Query(ctx, `SELECT r.id`+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(append(args, scoreArgs...), sq.PerPage, (sq.Page-1)*sq.PerPage)...)
	if err != nil {
		return SearchResult{}, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return SearchResult{}, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Items: []SearchHit{}, Total: total, Page: sq.Page, PerPage: sq.PerPage}
	if len(ids) == 0 {
		return res, nil
	}
	rows, err = s.db.Q().Query(ctx, `SELECT `+resourceCols+` FROM resources r JOIN teams t ON t.id = r.team_id WHERE r.id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return SearchResult{}, err
	}
	byID := map[int64]Resource{}
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			rows.Close()
			return SearchResult{}, err
		}
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return SearchResult{}, err
	}
	for _, id := range ids {
		if r, ok := byID[id.(int64)]; ok {
			res.Items = append(res.Items, SearchHit{Resource: r})
		}
	}
	return res, s.attachLatest(ctx, res.Items)
}

// attachLatest loads the latest public release of each hit in one query.
func (s *Service) attachLatest(ctx context.Context, hits []SearchHit) error {
	var ids []any
	idx := map[int64]int{}
	for i, h := range hits {
		if h.LatestReleaseID != 0 {
			idx[h.LatestReleaseID] = i
			ids = append(ids, h.LatestReleaseID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.Q().Query(ctx, `SELECT `+releaseCols+` FROM releases WHERE id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		rel, err := scanRelease(rows)
		if err != nil {
			return err
		}
		i := idx[rel.ID]
		rel.Resource = ResourceRef{Kind: hits[i].Kind, Name: hits[i].Name}
		hits[i].Latest = &rel
	}
	return rows.Err()
}

// PublicResource returns one public resource with its latest public release (the §12.2 item).
func (s *Service) PublicResource(ctx context.Context, kind, name string) (SearchHit, error) {
	r, err := s.resource(ctx, s.db.Q(), kind, name)
	if err != nil {
		return SearchHit{}, err
	}
	if !r.Public {
		return SearchHit{}, errf(404, "no %s named %q in the Store", kindNoun(kind), name)
	}
	hits := []SearchHit{{Resource: r}}
	err = s.attachLatest(ctx, hits)
	return hits[0], err
}

// ---------------------------------------------------------------- server list

// GameServer is an announced game server.
type GameServer struct {
	Address     string    `json:"address"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Players     int       `json:"players"`
	MaxPlayers  int       `json:"max_players"`
	Map         string    `json:"map"`
	GameMode    string    `json:"game_mode"`
	Version     string    `json:"version"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// Announce records a game server's heartbeat. The address is the announcing client's own IP
// with the given port, so nobody can list a server on someone else's address.
func (s *Service) Announce(ctx context.Context, g GameServer) (GameServer, error) {
	switch {
	case strings.TrimSpace(g.Name) == "" || len(g.Name) > 100:
		return g, invalid("name", "a server name of 1 to 100 characters is required")
	case len(g.Description) > 500:
		return g, invalid("description", "the description is longer than 500 characters")
	case g.Players < 0 || g.MaxPlayers < 0 || g.MaxPlayers > 10000 || g.Players > g.MaxPlayers:
		return g, invalid("players", "players must be between 0 and max_players (at most 10000)")
	case len(g.Map) > 200 || len(g.GameMode) > 200 || len(g.Version) > 50:
		return g, invalid("map", "map, game_mode or version is too long")
	}
	now := s.now().Truncate(time.Millisecond)
	g.LastSeen = now
	// One machine may list a handful of servers (several ports), not flood the list.
	if host, _, err := net.SplitHostPort(g.Address); err == nil {
		var n int
		prefix := host
		if strings.HasPrefix(g.Address, "[") {
			prefix = "[" + host + "]"
		}
		if err := s.db.Q().Row(ctx, `SELECT COUNT(*) FROM servers WHERE address LIKE ? ESCAPE '\' AND address <> ? AND last_seen >= ?`,
			likeEscape(prefix)+":%", g.Address, db.Millis(now.Add(-s.cfg.ServerTTL))).Scan(&n); err != nil {
			return g, err
		}
		if n >= MaxServersPerAddress {
			return g, errf(http.StatusTooManyRequests, "address %s already lists %d servers, the most one address may; stop announcing one of them first", host, n)
		}
	}
	_, err := s.db.Q().Exec(ctx, `INSERT INTO servers (address, name, description, players, max_players, map, game_mode, version, first_seen, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (address) DO UPDATE SET name = excluded.name, description = excluded.description, players = excluded.players,
			max_players = excluded.max_players, map = excluded.map, game_mode = excluded.game_mode, version = excluded.version, last_seen = excluded.last_seen`,
		g.Address, g.Name, g.Description, g.Players, g.MaxPlayers, g.Map, g.GameMode, g.Version, db.Millis(now), db.Millis(now))
	return g, err
}

// MaxServersPerAddress is how many live servers one IP address may list.
const MaxServersPerAddress = 16

// Servers lists game servers heard from within the server TTL, most players first.
func (s *Service) Servers(ctx context.Context) ([]GameServer, error) {
	cut := db.Millis(s.now().Add(-s.cfg.ServerTTL))
	rows, err := s.db.Q().Query(ctx, `SELECT address, name, description, players, max_players, map, game_mode, version, first_seen, last_seen
		FROM servers WHERE last_seen >= ? ORDER BY players DESC, name LIMIT 1000`, cut)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []GameServer{}
	for rows.Next() {
		var g GameServer
		var first, last int64
		if err := rows.Scan(&g.Address, &g.Name, &g.Description, &g.Players, &g.MaxPlayers, &g.Map, &g.GameMode, &g.Version, &first, &last); err != nil {
			return nil, err
		}
		g.FirstSeen, g.LastSeen = db.Time(first), db.Time(last)
		out = append(out, g)
	}
	return out, rows.Err()
}

// ---------------------------------------------------------------- rate limits

// RateLimit counts one request by key in a fixed window kept in the database, so every Store
// process shares the budget. It reports whether the request is allowed, how many remain and
// when the window resets.
func (s *Service) RateLimit(ctx context.Context, key string, limit int, window time.Duration) (bool, int, time.Time, error) {
	now := s.now()
	win := now.UnixMilli() / window.Milliseconds()
	reset := time.UnixMilli((win + 1) * window.Milliseconds())
	var n int
	err := s.db.Q().Row(ctx, `INSERT INTO rate_limits (key, win, count) VALUES (?, ?, 1)
		ON CONFLICT (key, win) DO UPDATE SET count = rate_limits.count + 1 RETURNING count`, key, win).Scan(&n)
	if err != nil {
		return true, limit, reset, err
	}
	rem := limit - n
	if rem < 0 {
		rem = 0
	}
	return n <= limit, rem, reset, nil
}
