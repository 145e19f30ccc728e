package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

var ctx = context.Background()

// fastArgon keeps password hashing cheap under -race; production uses DefaultArgon2.
var fastArgon = Argon2Params{Time: 1, Memory: 64, Threads: 1}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	svc   *Service
	env   *storetest.Env
	clock *clock
}

func newFixture(t testing.TB, b storetest.Backend) *fixture {
	t.Helper()
	env := storetest.Open(t, b)
	c := &clock{t: time.Now().UTC()}
	svc, err := New(env.DB, env.Blob, Config{SignupOpen: true, TmpDir: t.TempDir(), Argon2: fastArgon, Now: c.Now, LoginFailures: 3})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, env: env, clock: c}
}

// user creates an account and returns its actor with all scopes.
func (f *fixture) user(t *testing.T, name string) Actor {
	t.Helper()
	u, err := f.svc.CreateUser(ctx, name, "password-"+name, false, true)
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return Actor{UserID: u.ID, Name: u.Name, Scopes: ScopeAll, Client: "client-" + name}
}

func (f *fixture) upload(t *testing.T, a Actor, kind, name string, zip []byte, publish bool, channel string) Release {
	t.Helper()
	rel, err := f.svc.Upload(ctx, a, UploadInput{Kind: kind, Name: name, File: bytes.NewReader(zip), Changelog: "changes", Publish: publish, Channel: channel})
	if err != nil {
		t.Fatalf("upload %s %s: %v", kind, name, err)
	}
	return rel
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error with status %d, got success", status)
	}
	if got := StatusOf(err); got != status {
		t.Fatalf("want status %d, got %d: %v", status, got, err)
	}
}

func forBackends(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, b))
		})
	}
}

func TestReleaseLifecycle(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		rel := f.upload(t, alice, KindPackages, "hello", storetest.PackageZip(t, "1.0.0"), false, "")
		if rel.State != StateDraft || rel.Channel != ChannelStable || len(rel.SHA256) != 64 {
			t.Fatalf("first upload: %+v", rel)
		}
		// A draft is invisible to others.
		if _, err := f.svc.GetResource(ctx, Anonymous("x"), KindPackages, "hello"); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("anonymous sees a draft-only resource: %v", err)
		}
		v, err := f.svc.GetResource(ctx, alice, KindPackages, "hello")
		if err != nil || len(v.Releases) != 1 || v.Category != "script" || v.Team.Name != "alice" {
			t.Fatalf("owner view: %+v %v", v, err)
		}
		// Same version twice is refused.
		_, err = f.svc.Upload(ctx, alice, UploadInput{Kind: KindPackages, Name: "hello", File: bytes.NewReader(storetest.PackageZip(t, "1.0.0"))})
		wantStatus(t, err, http.StatusConflict)
		// Kind must match the manifest.
		_, err = f.svc.Upload(ctx, alice, UploadInput{Kind: KindAssets, Name: "hello", File: bytes.NewReader(storetest.PackageZip(t, "1.0.1"))})
		wantStatus(t, err, http.StatusUnprocessableEntity)

		if _, err := f.svc.Publish(ctx, alice, KindPackages, "hello", "1.0.0", ""); err != nil {
			t.Fatal(err)
		}
		f.upload(t, alice, KindPackages, "hello", storetest.PackageZip(t, "1.1.0"), true, "Beta")
		f.upload(t, alice, KindPackages, "hello", storetest.PackageZip(t, "0.9.0"), true, "")
		f.upload(t, alice, KindPackages, "hello", storetest.PackageZip(t, "2.0.0"), true, "Private")
		v, err = f.svc.GetResource(ctx, Anonymous("x"), KindPackages, "hello")
		if err != nil {
			t.Fatal(err)
		}
		if v.Latest != (Latest{Stable: "1.0.0", Beta: "1.1.0", Alpha: "1.1.0"}) {
			t.Fatalf("latest: %+v", v.Latest)
		}
		if len(v.Releases) != 3 || v.Releases[0].Version != "1.1.0" {
			t.Fatalf("anonymous releases (private hidden, SemVer order): %+v", v.Releases)
		}
		// Published releases cannot be deleted; yank needs a reason and keeps exact downloads.
		wantStatus(t, f.svc.DeleteRelease(ctx, alice, KindPackages, "hello", "1.0.0"), http.StatusConflict)
		_, err = f.svc.Yank(ctx, alice, KindPackages, "hello", "1.0.0", "")
		wantStatus(t, err, http.StatusUnprocessableEntity)
		if _, err := f.svc.Yank(ctx, alice, KindPackages, "hello", "1.0.0", "crashes on load"); err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.GetResource(ctx, Anonymous("x"), KindPackages, "hello")
		if v.Latest.Stable != "0.9.0" {
			t.Fatalf("yanked release still latest: %+v", v.Latest)
		}
		rel, obj, err := f.svc.OpenDownload(ctx, Anonymous("x"), KindPackages, "hello", "1.0.0")
		if err != nil {
			t.Fatalf("yanked release not downloadable by exact version: %v", err)
		}
		obj.Close()
		if !rel.Yanked || rel.YankReason != "crashes on load" {
			t.Fatalf("yank not recorded: %+v", rel)
		}
		// Drafts can be deleted.
		f.upload(t, alice, KindPackages, "hello", storetest.PackageZip(t, "3.0.0"), false, "")
		if err := f.svc.DeleteRelease(ctx, alice, KindPackages, "hello", "3.0.0"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetRelease(ctx, alice, KindPackages, "hello", "3.0.0"); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("deleted draft still there: %v", err)
		}
	})
}

func TestUploadNameHeldByOtherTeam(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		f.upload(t, alice, KindPackages, "shared", storetest.PackageZip(t, "1.0.0"), true, "")
		_, err := f.svc.Upload(ctx, bob, UploadInput{Kind: KindPackages, Name: "shared", File: bytes.NewReader(storetest.PackageZip(t, "1.0.1"))})
		wantStatus(t, err, http.StatusForbidden)
		// Bob as a member may upload drafts but not publish.
		if err := f.svc.SetMember(ctx, alice, "alice", "bob", RoleMember); err != nil {
			t.Fatal(err)
		}
		f.upload(t, bob, KindPackages, "shared", storetest.PackageZip(t, "1.0.1"), false, "")
		// Asking to publish as a member keeps the upload as a draft and says why.
		if rel := f.upload(t, bob, KindPackages, "shared", storetest.PackageZip(t, "1.0.5"), true, ""); rel.State != StateDraft || !rel.PublishedAt.IsZero() ||
			!strings.Contains(rel.Notice, "admin or owner") || !strings.Contains(rel.Notice, `"alice"`) {
			t.Fatalf("member upload with publish: state %q, published %v, notice %q", rel.State, rel.PublishedAt, rel.Notice)
		}
		if rel, err := f.svc.GetRelease(ctx, alice, KindPackages, "shared", "1.0.5"); err != nil || rel.State != StateDraft {
			t.Fatalf("member upload with publish stored as %+v, %v", rel, err)
		}
		if rel := f.upload(t, alice, KindPackages, "shared", storetest.PackageZip(t, "1.0.6"), true, ""); rel.State != StatePublished || rel.Notice != "" {
			t.Fatalf("owner upload with publish: state %q notice %q", rel.State, rel.Notice)
		}
		_, err = f.svc.Publish(ctx, bob, KindPackages, "shared", "1.0.1", "")
		wantStatus(t, err, http.StatusForbidden)
		// Scopes gate uploads.
		ro := bob
		ro.Scopes = ScopeRead
		_, err = f.svc.Upload(ctx, ro, UploadInput{Kind: KindPackages, Name: "shared", File: bytes.NewReader(storetest.PackageZip(t, "1.0.2"))})
		wantStatus(t, err, http.StatusForbidden)
	})
}

func TestConcurrentUploadsOneWins(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		f.upload(t, alice, KindPackages, "race", storetest.PackageZip(t, "0.1.0"), true, "")
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Different bytes (changelog in the zip) but the same version.
				z := storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, nil), "CHANGES.md", string(rune('a'+i)))
				_, errs[i] = f.svc.Upload(ctx, alice, UploadInput{Kind: KindPackages, Name: "race", File: bytes.NewReader(z)})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if StatusOf(err) != http.StatusConflict {
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d uploads of the same version succeeded, want exactly 1 (%v)", ok, errs)
		}
		var rows int
		f.env.DB.Q().Row(ctx, `SELECT COUNT(*) FROM releases WHERE version = '1.0.0'`).Scan(&rows)
		if rows != 1 {
			t.Fatalf("%d rows for the version", rows)
		}
	})
}

func TestKilledUploadLeavesNothing(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		crash := errors.New("simulated crash between blob write and commit")
		f.svc.afterBlob = func() error { return crash }
		z := storetest.PackageZip(t, "1.0.0")
		if _, err := f.svc.Upload(ctx, alice, UploadInput{Kind: KindPackages, Name: "crashy", File: bytes.NewReader(z)}); !errors.Is(err, crash) {
			t.Fatalf("want the simulated crash, got %v", err)
		}
		f.svc.afterBlob = nil
		// An upload cancelled mid-stream leaves nothing either.
		cctx, cancel := context.WithCancel(ctx)
		pr := &cancelAfter{r: bytes.NewReader(z), n: 10, cancel: cancel}
		if _, err := f.svc.Upload(cctx, alice, UploadInput{Kind: KindPackages, Name: "crashy", File: pr}); err == nil {
			t.Fatal("cancelled upload succeeded")
		}
		if _, err := f.svc.GetResource(ctx, alice, KindPackages, "crashy"); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("a crashed upload is visible: %v", err)
		}
		zips, _ := f.env.Blob.List(ctx, "zip/")
		if len(zips) != 1 {
			t.Fatalf("expected the crashed upload's orphan blob, found %d", len(zips))
		}
		// Within the grace period the orphan stays (it may be another process's upload in flight).
		if rep, err := f.svc.Cleanup(ctx); err != nil || rep.OrphanBlobs != 0 {
			t.Fatalf("cleanup inside grace: %+v %v", rep, err)
		}
		f.clock.Add(2 * time.Hour)
		// A committed release's blob must survive cleanup.
		f.upload(t, alice, KindPackages, "kept", storetest.PackageZip(t, "1.0.1"), true, "")
		f.clock.Add(2 * time.Hour)
		if _, err := f.svc.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		zips, _ = f.env.Blob.List(ctx, "zip/")
		if len(zips) != 1 {
			t.Fatalf("after cleanup want only the committed release's blob, found %v", zips)
		}
		if _, obj, err := f.svc.OpenDownload(ctx, alice, KindPackages, "kept", "1.0.1"); err != nil {
			t.Fatalf("committed release lost by cleanup: %v", err)
		} else {
			obj.Close()
		}
		if _, err := f.env.Blob.Stat(ctx, BlobKey(zips[0].Key[len("zip/aa/bb/"):])); err != nil && !errors.Is(err, blob.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

type cancelAfter struct {
	r      *bytes.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n == 0 {
		c.cancel()
		return 0, context.Canceled
	}
	c.n--
	if len(p) > 16 {
		p = p[:16]
	}
	return c.r.Read(p)
}

func TestResolve(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		f.upload(t, alice, KindAssets, "textures", storetest.Zip(t, "Assets.toml", storetest.AssetsToml("1.0.0", nil)), true, "")
		f.upload(t, alice, KindAssets, "props", storetest.Zip(t, "Assets.toml", storetest.AssetsToml("2.0.0", []string{"textures"})), true, "")
		f.upload(t, alice, KindPackages, "lib", storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, []string{"props"})), true, "")
		f.upload(t, alice, KindPackages, "lib", storetest.Zip(t, "Package.toml", storetest.PackageToml("1.1.0", nil, []string{"props"})), true, "Beta")
		f.upload(t, alice, KindPackages, "game", storetest.PackageZip(t, "1.0.0", "lib"), true, "")
		items, err := f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"game"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Name+"@"+it.Version)
		}
		want := []string{"textures@1.0.0", "props@2.0.0", "lib@1.0.0", "game@1.0.0"}
		if len(got) != len(want) {
			t.Fatalf("install set %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("install set %v, want %v (requirements first)", got, want)
			}
		}
		if !items[3].Requested || items[0].Requested {
			t.Fatalf("requested flags wrong: %+v", items)
		}
		items, _ = f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"game"}, Channel: "beta"})
		if items[2].Version != "1.1.0" {
			t.Fatalf("beta channel should pick lib 1.1.0: %+v", items)
		}
		// Yanked: never chosen, unless pinned.
		f.svc.Yank(ctx, alice, KindPackages, "lib", "1.0.0", "bad")
		_, err = f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"game"}})
		wantStatus(t, err, http.StatusUnprocessableEntity)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("required by game")) {
			t.Fatalf("error should name who required lib: %v", err)
		}
		items, err = f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"lib@1.0.0"}})
		if err != nil || items[len(items)-1].Version != "1.0.0" {
			t.Fatalf("pinned yanked release: %+v %v", items, err)
		}
		_, err = f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"nothing-here"}})
		wantStatus(t, err, http.StatusNotFound)
		// Cycles are reported.
		f.upload(t, alice, KindPackages, "cyc-a", storetest.PackageZip(t, "1.0.0", "cyc-b"), true, "")
		f.upload(t, alice, KindPackages, "cyc-b", storetest.PackageZip(t, "1.0.0", "cyc-a"), true, "")
		_, err = f.svc.Resolve(ctx, Anonymous("x"), ResolveRequest{Packages: []string{"cyc-a"}})
		wantStatus(t, err, http.StatusUnprocessableEntity)
	})
}

func TestSearch(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		f.upload(t, alice, KindPackages, "pkg-42", storetest.PackageZip(t, "1.0.0"), false, "")
		f.svc.Publish(ctx, alice, KindPackages, "pkg-42", "1.0.0", "")
		res, err := f.svc.Search(ctx, SearchQuery{Q: "pkg-42"})
		if err != nil || res.Total != 1 || res.Items[0].Name != "pkg-42" {
			t.Fatalf("name with digits after a dash: %v %v", names(res), err)
		}
		f.svc.DeleteResource(ctx, Actor{UserID: alice.UserID, Operator: true, Scopes: ScopeAll}, KindPackages, "pkg-42")
		for _, n := range []string{"vehicles", "vehicle-pack", "sandbox", "cars"} {
			f.upload(t, alice, KindPackages, n, storetest.PackageZip(t, "1.0.0"), true, "")
			f.clock.Add(time.Minute)
		}
		desc := "All the vehicles you need"
		if _, err := f.svc.UpdateResource(ctx, alice, KindPackages, "cars", ResourceUpdate{ShortDescription: &desc, Tags: &[]string{"vehicles", "fun"}}); err != nil {
			t.Fatal(err)
		}
		f.upload(t, alice, KindPackages, "hidden-vehicle", storetest.PackageZip(t, "1.0.0"), false, "")
		res, err = f.svc.Search(ctx, SearchQuery{Q: "vehicle-pack"})
		if err != nil || res.Total != 1 || res.Items[0].Name != "vehicle-pack" {
			t.Fatalf("exact search: %+v %v", res, err)
		}
		res, err = f.svc.Search(ctx, SearchQuery{Q: "vehicles", Sort: "relevance"})
		if err != nil || res.Total != 2 || res.Items[0].Name != "vehicles" {
			t.Fatalf("exact name first, drafts hidden: %+v", names(res))
		}
		res, err = f.svc.Search(ctx, SearchQuery{Tag: "fun"})
		if err != nil || res.Total != 1 || res.Items[0].Name != "cars" {
			t.Fatalf("tag filter: %v", names(res))
		}
		res, err = f.svc.Search(ctx, SearchQuery{Sort: "newest", PerPage: 2, Page: 2})
		if err != nil || res.Total != 4 || len(res.Items) != 2 || res.Items[0].Name != "vehicle-pack" {
			t.Fatalf("newest page 2: %v", names(res))
		}
		if res.Items[0].Latest == nil || res.Items[0].Latest.Version != "1.0.0" {
			t.Fatalf("hit without latest release: %+v", res.Items[0])
		}
		// Word prefixes match; every word must match.
		res, err = f.svc.Search(ctx, SearchQuery{Q: "veh"})
		if err != nil || res.Total != 3 {
			t.Fatalf("prefix: %v %v", names(res), err)
		}
		res, _ = f.svc.Search(ctx, SearchQuery{Q: "vehicles need"})
		if res.Total != 1 || res.Items[0].Name != "cars" {
			t.Fatalf("two words: %v", names(res))
		}
		res, _ = f.svc.Search(ctx, SearchQuery{Q: "sandbox", Team: "alice", Kind: KindPackages, Category: "script"})
		if res.Total != 1 {
			t.Fatalf("filters: %v", names(res))
		}
		res, _ = f.svc.Search(ctx, SearchQuery{Q: "sandbox", Team: "nobody"})
		if res.Total != 0 {
			t.Fatalf("team filter: %v", names(res))
		}
		res, _ = f.svc.Search(ctx, SearchQuery{Q: "100%_"})
		if res.Total != 0 {
			t.Fatalf("LIKE wildcards must be escaped: %v", names(res))
		}
		_, err = f.svc.Search(ctx, SearchQuery{Sort: "bogus"})
		wantStatus(t, err, http.StatusUnprocessableEntity)
	})
}

func names(r SearchResult) []string {
	var out []string
	for _, h := range r.Items {
		out = append(out, h.Name)
	}
	return out
}

func TestTeamsKeepAnOwner(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob, carol := f.user(t, "alice"), f.user(t, "bob"), f.user(t, "carol")
		if _, err := f.svc.CreateTeam(ctx, alice, "crew", "The Crew", ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.CreateTeam(ctx, bob, "crew", "", "")
		wantStatus(t, err, http.StatusConflict)
		wantStatus(t, f.svc.SetMember(ctx, alice, "crew", "alice", RoleAdmin), http.StatusConflict)
		wantStatus(t, f.svc.RemoveMember(ctx, alice, "crew", "alice"), http.StatusConflict)
		if err := f.svc.SetMember(ctx, alice, "crew", "bob", RoleAdmin); err != nil {
			t.Fatal(err)
		}
		// Admins manage members but not owners.
		if err := f.svc.SetMember(ctx, bob, "crew", "carol", RoleMember); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, f.svc.SetMember(ctx, bob, "crew", "carol", RoleOwner), http.StatusForbidden)
		wantStatus(t, f.svc.RemoveMember(ctx, bob, "crew", "alice"), http.StatusForbidden)
		wantStatus(t, f.svc.SetMember(ctx, carol, "crew", "bob", RoleMember), http.StatusForbidden)
		// Ownership handover, then the old owner may step down.
		if err := f.svc.SetMember(ctx, alice, "crew", "bob", RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetMember(ctx, alice, "crew", "alice", RoleMember); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, f.svc.SetMember(ctx, bob, "crew", "bob", RoleMember), http.StatusConflict)
		// Members may leave.
		if err := f.svc.RemoveMember(ctx, carol, "crew", "carol"); err != nil {
			t.Fatal(err)
		}
		ms, _ := f.svc.Members(ctx, "crew")
		if len(ms) != 2 {
			t.Fatalf("members: %+v", ms)
		}
	})
}

func TestTokensAndLogin(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		_, _, err := f.svc.CreateToken(ctx, alice, "", "ci", ScopePublish, 3*365*24*time.Hour)
		wantStatus(t, err, http.StatusUnprocessableEntity)
		_, _, err = f.svc.CreateToken(ctx, alice, "", "ci", ScopePublish, 0)
		wantStatus(t, err, http.StatusUnprocessableEntity)
		secret, tok, err := f.svc.CreateToken(ctx, alice, "", "ci", ScopePublish|ScopeRead, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !wellFormed(secret) || secret[:4] != TokenPrefix {
			t.Fatalf("token shape: %q", secret)
		}
		var stored string
		f.env.DB.Q().Row(ctx, `SELECT hash FROM tokens WHERE id = ?`, tok.ID).Scan(&stored)
		if stored == secret || stored != hashSecret(secret) {
			t.Fatal("token must be stored only as its SHA-256")
		}
		a, ti, err := f.svc.Authenticate(ctx, secret, "")
		if err != nil || a.UserID != alice.UserID || a.Scopes != ScopePublish|ScopeRead || ti.Label != "ci" {
			t.Fatalf("authenticate: %+v %+v %v", a, ti, err)
		}
		ts, _ := f.svc.ListTokens(ctx, alice)
		if len(ts) != 1 || ts[0].LastUsedAt.IsZero() {
			t.Fatalf("last used not recorded: %+v", ts)
		}
		// A flipped character fails the checksum; expiry and revocation are enforced.
		bad := []byte(secret)
		bad[10] ^= 1
		_, _, err = f.svc.Authenticate(ctx, string(bad), "")
		wantStatus(t, err, http.StatusUnauthorized)
		f.clock.Add(31 * 24 * time.Hour)
		_, _, err = f.svc.Authenticate(ctx, secret, "")
		wantStatus(t, err, http.StatusUnauthorized)
		secret2, tok2, _ := f.svc.CreateToken(ctx, alice, "", "other", ScopeRead, time.Hour)
		if err := f.svc.RevokeToken(ctx, alice, tok2.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.Authenticate(ctx, secret2, "")
		wantStatus(t, err, http.StatusUnauthorized)

		// Login throttling is per account and address, stored in the database.
		if _, err := f.svc.Login(ctx, "alice", "password-alice", "1.2.3.4"); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err := f.svc.Login(ctx, "alice", "wrong", "1.2.3.4")
			wantStatus(t, err, http.StatusUnauthorized)
		}
		_, err = f.svc.Login(ctx, "alice", "password-alice", "5.6.7.8")
		wantStatus(t, err, http.StatusTooManyRequests)
		f.clock.Add(16 * time.Minute)
		if _, err := f.svc.Login(ctx, "alice", "password-alice", "5.6.7.8"); err != nil {
			t.Fatalf("throttle should lift after the window: %v", err)
		}
		// Sign-up can be closed.
		f.svc.cfg.SignupOpen = false
		_, err = f.svc.CreateUser(ctx, "dave", "password-dave", false, true)
		wantStatus(t, err, http.StatusForbidden)
		if _, err := f.svc.CreateUser(ctx, "dave", "password-dave", false, false); err != nil {
			t.Fatalf("operators create users while sign-up is closed: %v", err)
		}
		_, err = f.svc.CreateUser(ctx, "Dave", "password-dave", false, false)
		wantStatus(t, err, http.StatusUnprocessableEntity)
	})
}

func TestDownloadCountsDeduplicated(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		rel := f.upload(t, alice, KindPackages, "counted", storetest.PackageZip(t, "1.0.0"), true, "")
		for _, c := range []string{"a", "a", "b", "a"} {
			if err := f.svc.CountDownload(ctx, rel, c); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Add(2 * time.Hour)
		f.svc.CountDownload(ctx, rel, "a")
		v, _ := f.svc.GetResource(ctx, Anonymous("x"), KindPackages, "counted")
		if v.Downloads != 3 || v.Releases[0].Downloads != 3 {
			t.Fatalf("downloads = %d/%d, want 3 (a, b, a again after the window)", v.Downloads, v.Releases[0].Downloads)
		}
	})
}

func TestServerList(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		if _, err := f.svc.Announce(ctx, GameServer{Address: "127.0.0.1:7777", Name: "Fun", Players: 3, MaxPlayers: 10}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(60 * time.Second)
		f.svc.Announce(ctx, GameServer{Address: "127.0.0.1:7778", Name: "Busy", Players: 9, MaxPlayers: 10})
		_, err := f.svc.Announce(ctx, GameServer{Address: "127.0.0.1:7779", Name: "Bad", Players: 11, MaxPlayers: 10})
		wantStatus(t, err, http.StatusUnprocessableEntity)
		gs, _ := f.svc.Servers(ctx)
		if len(gs) != 2 || gs[0].Name != "Busy" {
			t.Fatalf("servers: %+v", gs)
		}
		f.clock.Add(60 * time.Second)
		gs, _ = f.svc.Servers(ctx)
		if len(gs) != 1 || gs[0].Name != "Busy" {
			t.Fatalf("stale server not expired: %+v", gs)
		}
		// One address lists at most MaxServersPerAddress servers; heartbeats of listed ones go on,
		// and other addresses are not affected (10.0.0.1 is not a prefix match for 10.0.0.10).
		for port := 1; port < MaxServersPerAddress; port++ {
			if _, err := f.svc.Announce(ctx, GameServer{Address: fmt.Sprintf("127.0.0.1:%d", 9000+port), Name: "Many", MaxPlayers: 1}); err != nil {
				t.Fatalf("server %d of one address: %v", port+1, err)
			}
		}
		_, err = f.svc.Announce(ctx, GameServer{Address: "127.0.0.1:9999", Name: "One too many", MaxPlayers: 1})
		wantStatus(t, err, http.StatusTooManyRequests)
		if _, err := f.svc.Announce(ctx, GameServer{Address: "127.0.0.1:7778", Name: "Busy", Players: 8, MaxPlayers: 10}); err != nil {
			t.Fatalf("heartbeat of a listed server: %v", err)
		}
		if _, err := f.svc.Announce(ctx, GameServer{Address: "127.0.0.10:7777", Name: "Neighbour", MaxPlayers: 1}); err != nil {
			t.Fatalf("another address: %v", err)
		}
		for i := range MaxServersPerAddress {
			if _, err := f.svc.Announce(ctx, GameServer{Address: fmt.Sprintf("[::1]:%d", 9000+i), Name: "Six", MaxPlayers: 1}); err != nil {
				t.Fatalf("IPv6 server %d: %v", i, err)
			}
		}
		_, err = f.svc.Announce(ctx, GameServer{Address: "[::1]:1", Name: "Six", MaxPlayers: 1})
		wantStatus(t, err, http.StatusTooManyRequests)
	})
}

func TestRateLimitShared(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		// Two services on one database share the budget.
		other, _ := New(f.env.DB, f.env.Blob, f.svc.cfg)
		for i := range 4 {
			s := f.svc
			if i%2 == 1 {
				s = other
			}
			ok, rem, _, err := s.RateLimit(ctx, "k", 3, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if ok != (i < 3) || rem != max(0, 2-i) {
				t.Fatalf("request %d: ok=%v remaining=%d", i, ok, rem)
			}
		}
	})
}

func TestMarkdownIsSanitised(t *testing.T) {
	out := RenderMarkdown("# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**")
	if bytes.Contains([]byte(out), []byte("<script")) || bytes.Contains([]byte(out), []byte("javascript:")) {
		t.Fatalf("unsafe HTML survived: %s", out)
	}
	if !bytes.Contains([]byte(out), []byte("<strong>bold</strong>")) || !bytes.Contains([]byte(out), []byte("<h1")) {
		t.Fatalf("markdown not rendered: %s", out)
	}
}

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse", fastArgon)
	if !CheckPassword("correct horse", h) || CheckPassword("wrong", h) || CheckPassword("correct horse", "garbage") {
		t.Fatal("argon2id check wrong")
	}
	if h2 := HashPassword("correct horse", fastArgon); h2 == h {
		t.Fatal("salt not random")
	}
}

func TestCheckName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{{"abc", true}, {"a-b-9", true}, {"", false}, {"-a", false}, {"Abc", false}, {"a_b", false}, {"a b", false},
		{string(make([]byte, 65)), false}, {"é", false}} {
		if err := CheckName("x", c.name); (err == nil) != c.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestCreateAndDeleteResource(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		if _, err := f.svc.CreateTeam(ctx, alice, "studio", "", ""); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.CreateResource(ctx, bob, ResourceInput{Kind: KindPackages, Name: "game", Team: "studio"})
		wantStatus(t, err, http.StatusForbidden)
		r, err := f.svc.CreateResource(ctx, alice, ResourceInput{Kind: KindPackages, Name: "game", Team: "studio", Title: "The Game", Tags: []string{"Fun"}})
		if err != nil || r.Team.Name != "studio" || r.Tags[0] != "fun" {
			t.Fatalf("create: %+v %v", r, err)
		}
		_, err = f.svc.CreateResource(ctx, alice, ResourceInput{Kind: KindPackages, Name: "GAME"})
		wantStatus(t, err, http.StatusUnprocessableEntity)
		_, err = f.svc.CreateResource(ctx, alice, ResourceInput{Kind: KindPackages, Name: "game"})
		wantStatus(t, err, http.StatusConflict)
		// The first upload lands in the team that holds the name, not the uploader's personal team.
		rel := f.upload(t, alice, KindPackages, "game", storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, nil), "game.txt", "unique"), false, "")
		v, _ := f.svc.GetResource(ctx, alice, KindPackages, "game")
		if v.Team.Name != "studio" || v.Category != "script" || v.Title != "The Game" || len(v.Releases) != 1 {
			t.Fatalf("after upload: %+v", v.Resource)
		}
		// Moving between teams: admin (or owner) of both.
		studio := "studio"
		personal := "alice"
		if _, err := f.svc.UpdateResource(ctx, bob, KindPackages, "game", ResourceUpdate{Team: &personal}); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("stranger moved an unpublished resource: %v", err)
		}
		if _, err := f.svc.UpdateResource(ctx, alice, KindPackages, "game", ResourceUpdate{Team: &personal}); err != nil {
			t.Fatal(err)
		}
		bobs := "bob"
		_, err = f.svc.UpdateResource(ctx, alice, KindPackages, "game", ResourceUpdate{Team: &bobs})
		wantStatus(t, err, http.StatusForbidden)
		if r, err := f.svc.UpdateResource(ctx, alice, KindPackages, "game", ResourceUpdate{Team: &studio}); err != nil || r.Team.Name != "studio" {
			t.Fatalf("move back: %+v %v", r.Team, err)
		}
		// Unpublished: the owner may delete; strangers see nothing.
		wantStatus(t, f.svc.DeleteResource(ctx, bob, KindPackages, "game"), http.StatusNotFound)
		f.upload(t, alice, KindPackages, "keep", storetest.PackageZip(t, "1.0.0"), true, "")
		wantStatus(t, f.svc.DeleteResource(ctx, alice, KindPackages, "keep"), http.StatusConflict)
		if err := f.svc.DeleteResource(ctx, alice, KindPackages, "game"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetResource(ctx, alice, KindPackages, "game"); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("deleted resource still there: %v", err)
		}
		// Its zip is now an orphan the cleanup removes once past the grace period.
		f.clock.Add(2 * time.Hour)
		if _, err := f.svc.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Blob.Stat(ctx, BlobKey(rel.SHA256)); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("orphan zip kept: %v", err)
		}
		// Operators may delete published resources.
		op := alice
		op.Operator = true
		if err := f.svc.DeleteResource(ctx, op, KindPackages, "keep"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFirstUploadIntoTeamAndMoveByAdmins(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		if _, err := f.svc.CreateTeam(ctx, alice, "studio", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetMember(ctx, alice, "studio", "bob", RoleMember); err != nil {
			t.Fatal(err)
		}
		up := func(a Actor, name, team, version string) (Release, error) {
			return f.svc.Upload(ctx, a, UploadInput{Kind: KindPackages, Name: name, Team: team, File: bytes.NewReader(storetest.PackageZip(t, version))})
		}
		// A plain member may not create resources in the team.
		_, err := up(bob, "racer", "studio", "1.0.0")
		wantStatus(t, err, http.StatusForbidden)
		_, err = up(bob, "racer", "no-such-team", "1.0.0")
		wantStatus(t, err, http.StatusNotFound)
		if err := f.svc.SetMember(ctx, alice, "studio", "bob", RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := up(bob, "racer", "studio", "1.0.0"); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.GetResource(ctx, bob, KindPackages, "racer")
		if err != nil || v.Team.Name != "studio" {
			t.Fatalf("first upload with a team landed in %q: %v", v.Team.Name, err)
		}
		// Later uploads may repeat the team but not name another one.
		if _, err := up(bob, "racer", "STUDIO", "1.0.1"); err != nil {
			t.Fatal(err)
		}
		_, err = up(bob, "racer", "bob", "1.0.2")
		wantStatus(t, err, http.StatusUnprocessableEntity)
		// Moving needs admin (or owner) in both teams: alice owns studio but is not in bob's team.
		bobs, studio := "bob", "studio"
		_, err = f.svc.UpdateResource(ctx, alice, KindPackages, "racer", ResourceUpdate{Team: &bobs})
		wantStatus(t, err, http.StatusForbidden)
		if r, err := f.svc.UpdateResource(ctx, bob, KindPackages, "racer", ResourceUpdate{Team: &bobs}); err != nil || r.Team.Name != "bob" {
			t.Fatalf("admin of both teams could not move: %+v %v", r.Team, err)
		}
		if err := f.svc.SetMember(ctx, alice, "studio", "bob", RoleMember); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.UpdateResource(ctx, bob, KindPackages, "racer", ResourceUpdate{Team: &studio})
		wantStatus(t, err, http.StatusForbidden)
	})
}

func TestDeleteTeam(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		if _, err := f.svc.CreateTeam(ctx, alice, "studio", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetMember(ctx, alice, "studio", "bob", RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateResource(ctx, alice, ResourceInput{Kind: KindPackages, Name: "game", Team: "studio"}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, f.svc.DeleteTeam(ctx, bob, "studio"), http.StatusForbidden)  // admins may not
		wantStatus(t, f.svc.DeleteTeam(ctx, alice, "studio"), http.StatusConflict) // still holds a resource
		wantStatus(t, f.svc.DeleteTeam(ctx, alice, "alice"), http.StatusConflict)  // personal team
		wantStatus(t, f.svc.DeleteTeam(ctx, Actor{}, "studio"), http.StatusUnauthorized)
		noManage := alice
		noManage.Scopes = ScopeRead | ScopePublish
		wantStatus(t, f.svc.DeleteTeam(ctx, noManage, "studio"), http.StatusForbidden)
		if err := f.svc.DeleteResource(ctx, alice, KindPackages, "game"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeleteTeam(ctx, alice, "studio"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Team(ctx, "studio"); StatusOf(err) != http.StatusNotFound {
			t.Fatalf("deleted team still found: %v", err)
		}
		if teams, _ := f.svc.TeamsOf(ctx, bob.UserID); len(teams) != 1 {
			t.Fatalf("bob still listed in a deleted team: %+v", teams)
		}
		// The name is free again.
		if _, err := f.svc.CreateTeam(ctx, bob, "studio", "", ""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTeamResourcesShowHiddenToMembers(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		f.upload(t, alice, KindPackages, "pub", storetest.PackageZip(t, "1.0.0"), true, "")
		f.upload(t, alice, KindPackages, "pub", storetest.PackageZip(t, "1.1.0"), false, "")
		f.upload(t, alice, KindPackages, "pub", storetest.PackageZip(t, "1.2.0"), true, ChannelPrivate)
		f.upload(t, alice, KindPackages, "secret", storetest.PackageZip(t, "0.1.0"), false, "")
		names := func(a Actor) (out []string) {
			t.Helper()
			rs, err := f.svc.TeamResources(ctx, a, "alice")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				s := r.Name + ":"
				for _, h := range r.Hidden {
					s += " " + h.Version
				}
				out = append(out, s)
			}
			return out
		}
		if got := fmt.Sprint(names(bob)); got != "[pub:]" {
			t.Errorf("non-member sees %s, want only the public resource", got)
		}
		if got := fmt.Sprint(names(Actor{})); got != "[pub:]" {
			t.Errorf("anonymous sees %s", got)
		}
		if got := fmt.Sprint(names(alice)); got != "[pub: 1.2.0 1.1.0 secret: 0.1.0]" {
			t.Errorf("member sees %s, want drafts and private releases", got)
		}
		noRead := alice
		noRead.Scopes = ScopePublish
		if got := fmt.Sprint(names(noRead)); got != "[pub:]" {
			t.Errorf("token without read scope sees %s", got)
		}
		_, err := f.svc.TeamResources(ctx, alice, "nobody")
		wantStatus(t, err, http.StatusNotFound)
	})
}

func TestLoginTokenLimits(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		u, err := f.svc.UserByName(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		for i := range MaxLoginTokens + 3 {
			label := fmt.Sprintf("device-%d", i)
			if i == 1 {
				label = "device-0" // replaces the first
			}
			if _, _, err := f.svc.LoginToken(ctx, u, label, 0, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := f.svc.LoginToken(ctx, u, "x", 0, MaxLoginTokenLifetime+time.Hour); StatusOf(err) != http.StatusUnprocessableEntity {
			t.Fatalf("over-long sign-in token: %v", err)
		}
		toks, err := f.svc.ListTokens(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		live := map[string]bool{}
		for _, tok := range toks {
			if !tok.Login {
				t.Fatalf("token %q not marked as a sign-in token", tok.Label)
			}
			if tok.RevokedAt.IsZero() {
				live[tok.Label] = true
			}
		}
		if len(toks) != MaxLoginTokens+3 || len(live) != MaxLoginTokens || live["device-0"] || !live[fmt.Sprintf("device-%d", MaxLoginTokens+2)] {
			t.Fatalf("%d tokens, live %v; want %d live, the oldest revoked", len(toks), live, MaxLoginTokens)
		}
	})
}

// Latest is chosen by SemVer precedence (numeric parts), not by upload order or string order.
func TestLatestBySemVerNotUploadOrder(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice := f.user(t, "alice")
		for _, v := range []string{"1.10.0", "1.9.0", "1.2.10", "1.2.9"} {
			f.upload(t, alice, KindPackages, "order", storetest.PackageZip(t, v), true, "")
		}
		f.upload(t, alice, KindPackages, "order", storetest.PackageZip(t, "1.11.0"), true, ChannelBeta)
		f.upload(t, alice, KindPackages, "order", storetest.PackageZip(t, "1.12.0"), false, "")
		v, err := f.svc.GetResource(ctx, Anonymous("x"), KindPackages, "order")
		if err != nil {
			t.Fatal(err)
		}
		if v.Latest != (Latest{Stable: "1.10.0", Beta: "1.11.0", Alpha: "1.11.0"}) {
			t.Fatalf("latest %+v, want stable 1.10.0 and beta 1.11.0 (the 1.12.0 draft never counts)", v.Latest)
		}
		var got []string
		for _, r := range v.Releases {
			got = append(got, r.Version)
		}
		if fmt.Sprint(got) != "[1.11.0 1.10.0 1.9.0 1.2.10 1.2.9]" {
			t.Fatalf("release order %v", got)
		}
	})
}
