package core

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/db"
)

// Team holds resources; users belong to teams with a role.
type Team struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Image       string    `json:"image"`
	Personal    bool      `json:"personal"`
	CreatedAt   time.Time `json:"created_at"`
	// Role is the viewing actor's role in the team, when listed for that actor.
	Role Role `json:"role,omitempty"`
}

// Member is one user's membership of a team.
type Member struct {
	User string `json:"user"`
	Role Role   `json:"role"`
}

const teamCols = `t.id, t.name, t.title, t.description, t.image, t.personal, t.created_at`

func scanTeam(sc interface{ Scan(...any) error }, extra ...any) (Team, error) {
	var t Team
	var personal, created int64
	err := sc.Scan(append([]any{&t.ID, &t.Name, &t.Title, &t.Description, &t.Image, &personal, &created}, extra...)...)
	t.Personal, t.CreatedAt = db.Bool(personal), db.Time(created)
	return t, err
}

func (s *Service) teamByName(ctx context.Context, q db.Q, name string) (Team, error) {
	t, err := scanTeam(q.Row(ctx, `SELECT `+teamCols+` FROM teams t WHERE t.name_lower = ?`, strings.ToLower(name)))
	if isNoRows(err) {
		return t, errf(http.StatusNotFound, "no team named %q", name)
	}
	return t, err
}

// Team looks a team up by name.
func (s *Service) Team(ctx context.Context, name string) (Team, error) {
	return s.teamByName(ctx, s.db.Q(), name)
}

// CreateTeam creates a team owned by the actor.
func (s *Service) CreateTeam(ctx context.Context, a Actor, name, title, description string) (Team, error) {
	if !a.LoggedIn() {
		return Team{}, errLogin
	}
	if !a.Scopes.Has(ScopeManage) {
		return Team{}, errf(http.StatusForbidden, "creating teams needs the `manage` scope")
	}
	if err := CheckName("team", name); err != nil {
		return Team{}, err
	}
	if title == "" {
		title = name
	}
	now := s.now()
	t := Team{Name: name, Title: title, Description: description, CreatedAt: db.Time(db.Millis(now)), Role: RoleOwner}
	err := s.db.Tx(ctx, func(q db.Q) error {
		var n int
		q.Row(ctx, `SELECT COUNT(*) FROM users WHERE name_lower = ?`, strings.ToLower(name)).Scan(&n)
		if n > 0 {
			return errf(http.StatusConflict, "the name %q belongs to a user; choose another team name", name)
		}
		if err := q.Row(ctx, `INSERT INTO teams (name, name_lower, title, description, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			name, strings.ToLower(name), title, description, db.Millis(now)).Scan(&t.ID); err != nil {
			if db.IsUnique(err) {
				return errf(http.StatusConflict, "the team name %q is taken; choose another", name)
			}
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO team_members (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, t.ID, a.UserID, RoleOwner, db.Millis(now))
		return err
	})
	return t, err
}

// UpdateTeam changes a team's title, description and image (owners and admins).
func (s *Service) UpdateTeam(ctx context.Context, a Actor, name string, title, description, image *string) (Team, error) {
	var t Team
	err := s.db.Tx(ctx, func(q db.Q) error {
		var err error
		t, err = s.teamByName(ctx, q, name)
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, t, RoleAdmin, ScopeManage); err != nil {
			return err
		}
		if title != nil {
			t.Title = *title
		}
		if description != nil {
			t.Description = *description
		}
		if image != nil {
			t.Image = *image
		}
		_, err = q.Exec(ctx, `UPDATE teams SET title = ?, description = ?, image = ? WHERE id = ?`, t.Title, t.Description, t.Image, t.ID)
		return err
	})
	return t, err
}

// DeleteTeam removes a team. Only an owner (or an operator) may, only while the team holds no
// resources (move or delete them first, so nothing is orphaned or silently transferred), and
// never a user's personal team (it goes with the account).
func (s *Service) DeleteTeam(ctx context.Context, a Actor, name string) error {
	return s.db.Tx(ctx, func(q db.Q) error {
		t, err := s.teamByName(ctx, q, name)
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, t, RoleOwner, ScopeManage); err != nil {
			return err
		}
		if t.Personal {
			return errf(http.StatusConflict, "%q is a personal team; it is removed together with its user's account", t.Name)
		}
		var n int
		if err := q.Row(ctx, `SELECT COUNT(*) FROM resources WHERE team_id = ?`, t.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errf(http.StatusConflict, "team %q still holds %d resource(s); move them to another team or delete them, then delete the team", t.Name, n)
		}
		if _, err := q.Exec(ctx, `DELETE FROM team_members WHERE team_id = ?`, t.ID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `DELETE FROM teams WHERE id = ?`, t.ID)
		return err
	})
}

// requireTeam checks that the actor holds at least role in the team and the credential scope.
func (s *Service) requireTeam(ctx context.Context, q db.Q, a Actor, t Team, role Role, scope Scope) error {
	if !a.LoggedIn() {
		return errLogin
	}
	r, err := s.roleIn(ctx, q, a, t.ID)
	if err != nil {
		return err
	}
	if !r.AtLeast(role) {
		if r == "" {
			return errf(http.StatusForbidden, "you are not a member of team %q", t.Name)
		}
		return errf(http.StatusForbidden, "this needs the %s role in team %q; you are %s", role, t.Name, r)
	}
	if !a.Scopes.Has(scope) {
		return errf(http.StatusForbidden, "this token lacks the `%s` scope", scope.Names()[0])
	}
	return nil
}

// TeamsOf lists the teams a user belongs to, with the user's role.
func (s *Service) TeamsOf(ctx context.Context, userID int64) ([]Team, error) {
	rows, err := s.db.Q().Query(ctx, `SELECT `+teamCols+`, m.role FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ? ORDER BY t.personal DESC, t.name_lower`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Team{}
	for rows.Next() {
		var role string
		t, err := scanTeam(rows, &role)
		if err != nil {
			return nil, err
		}
		t.Role = Role(role)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Members lists a team's members (anyone may see who is in a team).
func (s *Service) Members(ctx context.Context, team string) ([]Member, error) {
	t, err := s.Team(ctx, team)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q().Query(ctx, `SELECT u.name, m.role FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY u.name_lower`, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var role string
		if err := rows.Scan(&m.User, &role); err != nil {
			return nil, err
		}
		m.Role = Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetMember adds a user to a team or changes their role. Owners and admins manage members;
// only owners grant or take away the owner role; a team never loses its last owner.
func (s *Service) SetMember(ctx context.Context, a Actor, team, user string, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q db.Q) error {
		t, err := s.teamByName(ctx, q, team)
		if err != nil {
			return err
		}
		if err := s.requireTeam(ctx, q, a, t, RoleAdmin, ScopeManage); err != nil {
			return err
		}
		u, err := s.userByName(ctx, q, user)
		if err != nil {
			return err
		}
		mine, _ := s.roleIn(ctx, q, a, t.ID)
		var cur string
		err = q.Row(ctx, `SELECT role FROM team_members WHERE team_id = ? AND user_id = ?`, t.ID, u.ID).Scan(&cur)
		if err != nil && !isNoRows(err) {
			return err
		}
		if (role == RoleOwner || Role(cur) == RoleOwner) && mine != RoleOwner {
			return errf(http.StatusForbidden, "only owners of team %q may grant or take away the owner role", t.Name)
		}
		if Role(cur) == RoleOwner && role != RoleOwner {
			if err := lastOwnerCheck(ctx, q, t); err != nil {
				return err
			}
		}
		if cur == "" {
			_, err = q.Exec(ctx, `INSERT INTO team_members (team_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`, t.ID, u.ID, role, db.Millis(s.now()))
		} else {
			_, err = q.Exec(ctx, `UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?`, role, t.ID, u.ID)
		}
		return err
	})
}

func lastOwnerCheck(ctx context.Context, q db.Q, t Team) error {
	var owners int
	if err := q.Row(ctx, `SELECT COUNT(*) FROM team_members WHERE team_id = ? AND role = 'owner'`, t.ID).Scan(&owners); err != nil {
		return err
	}
	if owners <= 1 {
		return errf(http.StatusConflict, "team %q would lose its last owner; make another member owner first", t.Name)
	}
	return nil
}

// RemoveMember takes a user out of a team. Members may leave on their own; owners and admins
// remove others; the last owner stays.
func (s *Service) RemoveMember(ctx context.Context, a Actor, team, user string) error {
	return s.db.Tx(ctx, func(q db.Q) error {
		t, err := s.teamByName(ctx, q, team)
		if err != nil {
			return err
		}
		u, err := s.userByName(ctx, q, user)
		if err != nil {
			return err
		}
		if u.ID != a.UserID || !a.LoggedIn() {
			if err := s.requireTeam(ctx, q, a, t, RoleAdmin, ScopeManage); err != nil {
				return err
			}
		} else if !a.Scopes.Has(ScopeManage) {
			return errf(http.StatusForbidden, "leaving a team needs the `manage` scope")
		}
		var cur string
		err = q.Row(ctx, `SELECT role FROM team_members WHERE team_id = ? AND user_id = ?`, t.ID, u.ID).Scan(&cur)
		if isNoRows(err) {
			return errf(http.StatusNotFound, "%s is not a member of team %q", user, t.Name)
		}
		if err != nil {
			return err
		}
		if Role(cur) == RoleOwner {
			if mine, _ := s.roleIn(ctx, q, a, t.ID); mine != RoleOwner {
				return errf(http.StatusForbidden, "only owners of team %q may remove an owner", t.Name)
			}
			if err := lastOwnerCheck(ctx, q, t); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, t.ID, u.ID)
		return err
	})
}

// TeamResource is one resource on a team's page: its latest public release and, for members
// who may see them, the drafts and Private-channel releases not shown to the public.
type TeamResource struct {
	SearchHit
	// Hidden lists drafts and Private-channel releases (members with the read scope only),
	// newest version first.
	Hidden []Release `json:"hidden_releases,omitempty"`
}

// TeamResources lists the resources a team holds as the actor may see them: everyone sees the
// public ones; members (and operators) with the read scope also see resources without a public
// release yet and every draft and Private release. Sorted by downloads, then name.
func (s *Service) TeamResources(ctx context.Context, a Actor, team string) ([]TeamResource, error) {
	q := s.db.Q()
	t, err := s.teamByName(ctx, q, team)
	if err != nil {
		return nil, err
	}
	priv, err := s.canSeePrivate(ctx, q, a, t.ID)
	if err != nil {
		return nil, err
	}
	cond := ""
	if !priv {
		cond = " AND r.public = 1"
	}
	rows, err := q.Query(ctx, `SELECT `+resourceCols+` FROM resources r JOIN teams t ON t.id = r.team_id WHERE r.team_id = ?`+cond+
		` ORDER BY r.downloads DESC, r.name_lower LIMIT 500`, t.ID)
	if err != nil {
		return nil, err
	}
	var hits []SearchHit
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		hits = append(hits, SearchHit{Resource: r})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.attachLatest(ctx, hits); err != nil {
		return nil, err
	}
	out := make([]TeamResource, len(hits))
	idx := map[int64]int{}
	for i, h := range hits {
		out[i].SearchHit = h
		idx[h.ID] = i
	}
	if !priv || len(hits) == 0 {
		return out, nil
	}
	// Drafts and Private releases of all the team's resources in one query.
	rows, err = q.Query(ctx, `SELECT `+releaseCols+` FROM releases WHERE resource_id IN (SELECT id FROM resources WHERE team_id = ?)
		AND (state = ? OR channel = ?) ORDER BY major DESC, minor DESC, patch DESC`, t.ID, StateDraft, ChannelPrivate)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		rel, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		i, ok := idx[rel.ResourceID]
		if !ok {
			continue // beyond the listing's limit
		}
		rel.Resource = ResourceRef{Kind: out[i].Kind, Name: out[i].Name}
		out[i].Hidden = append(out[i].Hidden, rel)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
