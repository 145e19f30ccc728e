package store

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/db"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

type benchStore struct {
	st  *Store
	srv *httptest.Server
	tok string
}

func openBench(b testing.TB) *benchStore {
	b.Helper()
	dir := b.TempDir()
	cfg := Config{Data: dir, Signup: true, Core: core.Config{Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}, MaxUploadSize: 200 << 20}}
	// NANOFORGE_BENCH_DB=postgres runs on PostgreSQL (NANOFORGE_TEST_POSTGRES, a schema of its own).
	if os.Getenv("NANOFORGE_BENCH_DB") == "postgres" {
		cfg.Database = storetest.DatabaseURL(b, "postgres", dir)
	}
	st, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	u, err := st.Service.CreateUser(context.Background(), "bench", "password-bench", false, false)
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := st.Service.CreateToken(context.Background(), core.Actor{UserID: u.ID, Name: "bench", Scopes: core.ScopeAll}, "", "b", core.ScopeAll, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(st.Handler)
	b.Cleanup(srv.Close)
	return &benchStore{st: st, srv: srv, tok: tok}
}

func (s *benchStore) upload(b testing.TB, name string, z io.Reader) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("publish", "true")
		fw, _ := mw.CreateFormFile("file", "release.zip")
		io.Copy(fw, z)
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", s.srv.URL+"/store/v1/packages/"+name+"/releases", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Token "+s.tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		b.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
}

// randomZip is a package zip with size bytes of incompressible payload (stored, not deflated).
func randomZip(b testing.TB, size int) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: "Package.toml", Method: zip.Deflate})
	f.Write([]byte(storetest.PackageToml("1.0.0", nil, nil)))
	f, _ = w.CreateHeader(&zip.FileHeader{Name: "Client/data.bin", Method: zip.Store})
	payload := make([]byte, size)
	rand.Read(payload)
	f.Write(payload)
	w.Close()
	return buf.Bytes()
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}
}

func fetchParallel(b *testing.B, url string, want int64) {
	client := benchClient()
	b.SetParallelism(64 / runtime.GOMAXPROCS(0))
	b.SetBytes(want)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || n != want {
				b.Errorf("status %d, %d bytes", resp.StatusCode, n)
				return
			}
		}
	})
}

// BenchmarkDownload1MiB serves a 1 MiB release to 64 concurrent clients through the full Store
// path (auth, rate limit off, visibility check, download count, ServeContent).
func BenchmarkDownload1MiB(b *testing.B) {
	s := openBench(b)
	z := randomZip(b, 1<<20)
	s.upload(b, "big", bytes.NewReader(z))
	fetchParallel(b, s.srv.URL+"/api/v1/packages/big/releases/1.0.0/download", int64(len(z)))
}

// BenchmarkDownload1MiBFileServer is the reference: net/http.FileServer over the same bytes.
func BenchmarkDownload1MiBFileServer(b *testing.B) {
	dir := b.TempDir()
	z := randomZip(b, 1<<20)
	os.WriteFile(filepath.Join(dir, "big.zip"), z, 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	fetchParallel(b, srv.URL+"/big.zip", int64(len(z)))
}

// BenchmarkDownload1MiBReference downloads from an external reference registry serving a file of
// the same size (Verdaccio, started by scripts/bench.d/50-store.sh), given as
// NANOFORGE_BENCH_REF_URL with its size in NANOFORGE_BENCH_REF_SIZE.
func BenchmarkDownload1MiBReference(b *testing.B) {
	url := os.Getenv("NANOFORGE_BENCH_REF_URL")
	size, _ := strconv.ParseInt(os.Getenv("NANOFORGE_BENCH_REF_SIZE"), 10, 64)
	if url == "" || size == 0 {
		b.Skip("NANOFORGE_BENCH_REF_URL/NANOFORGE_BENCH_REF_SIZE unset; scripts/bench.d/50-store.sh starts the reference")
	}
	fetchParallel(b, url, size)
}

// seedResources inserts n public resources with one release each in bulk SQL.
func seedResources(b testing.TB, s *benchStore, n int) {
	ctx := context.Background()
	d := s.st.DB
	now := time.Now().UnixMilli()
	err := d.Tx(ctx, func(q0 dbQ) error {
		for start := 0; start < n; start += 500 {
			end := min(start+500, n)
			var sb bytes.Buffer
			var args []any
			sb.WriteString(`INSERT INTO resources (kind, name, name_lower, team_id, title, short_description, category, tags, search_text, downloads, public, created_at, updated_at) VALUES `)
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteString(",")
				}
				sb.WriteString("(?, ?, ?, 1, ?, ?, 'script', ?, ?, ?, 1, ?, ?)")
				name := fmt.Sprintf("pkg-%d", i)
				title := fmt.Sprintf("%s %s", vocab[(i*7)%len(vocab)], vocab[(i*13+5)%len(vocab)])
				// A category word shared by a fifth of the resources and a few of 1000 rarer words.
				desc := fmt.Sprintf("A %s script: %s %s %s %s", []string{"vehicle", "weapon", "chat", "map", "admin"}[i%5],
					vocab[(i*31)%len(vocab)], vocab[(i*17+3)%len(vocab)], vocab[(i*101+11)%len(vocab)], vocab[(i*7+1)%len(vocab)])
				tags := ",tag" + strconv.Itoa(i%50) + ","
				args = append(args, "packages", name, name, title, desc, tags, core.SearchText(name, title, desc, "", []string{"tag" + strconv.Itoa(i%50)}), i%1000, now-int64(i), now-int64(i))
			}
			if _, err := q0.Exec(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// A running PostgreSQL vacuums and analyses new rows by itself (autovacuum); do it now so
	// the planner and index-only scans see the table as they would in service.
	if d.Dialect == db.Postgres {
		if _, err := d.ExecContext(ctx, `VACUUM ANALYZE resources`); err != nil {
			b.Fatal(err)
		}
	}
}

// vocab is 1000 pronounceable made-up words.
var vocab = func() []string {
	cons, vow := "bcdfghklmnprstvz", "aeiou"
	out := make([]string, 0, 1000)
	for i := 0; len(out) < 1000; i++ {
		w := []byte{cons[i%16], vow[(i/16)%5], cons[(i/80)%16], vow[(i/7)%5], cons[(i/3)%16]}
		out = append(out, string(w))
	}
	return out
}()

func resourcesN() int {
	if v, err := strconv.Atoi(os.Getenv("NANOFORGE_BENCH_RESOURCES")); err == nil && v > 0 {
		return v
	}
	return 10000
}

func benchGet(b *testing.B, s *benchStore, n int, paths func(i int) string) {
	benchGetURL(b, func(i int) string { return s.srv.URL + paths(i%n) })
}

// benchGetURL fetches urls(i) for i = 1, 2, … from two parallel workers, requiring 200.
func benchGetURL(b *testing.B, urls func(i int) string) {
	client := benchClient()
	var i atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(urls(int(i.Add(1))))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkResourcePage fetches resource pages among NANOFORGE_BENCH_RESOURCES resources.
func BenchmarkResourcePage(b *testing.B) {
	n := resourcesN()
	s := openBench(b)
	seedResources(b, s, n)
	benchGet(b, s, n, func(i int) string { return fmt.Sprintf("/api/v1/packages/pkg-%d", i) })
}

// searchQueries are the searches of BenchmarkSearch, as query words (nil: the newest listing).
var searchQueries = []struct {
	name  string
	words []string
}{
	{"rare-word", []string{vocab[123]}}, {"common-word", []string{"vehicle"}}, {"exact-name", []string{"pkg-4242"}},
	{"two-words", []string{"weapon", vocab[77]}}, {"prefix", []string{vocab[500][:3]}}, {"newest", nil},
}

// BenchmarkRefPackageDocument fetches package documents (the npm "packument", the counterpart of
// a resource page) from a reference registry holding NANOFORGE_BENCH_RESOURCES packages seeded
// like seedResources: NANOFORGE_BENCH_REF_PAGE is its URL with %d for the package number.
func BenchmarkRefPackageDocument(b *testing.B) {
	tmpl := os.Getenv("NANOFORGE_BENCH_REF_PAGE")
	if tmpl == "" {
		b.Skip("NANOFORGE_BENCH_REF_PAGE unset; scripts/bench.d/50-store.sh seeds and starts the reference")
	}
	n := resourcesN()
	benchGetURL(b, func(i int) string { return fmt.Sprintf(tmpl, i%n) })
}

// BenchmarkRefFind runs the queries of BenchmarkSearch against a reference registry's search:
// NANOFORGE_BENCH_REF_SEARCH is a URL ending in the text parameter, to which the words are added.
func BenchmarkRefFind(b *testing.B) {
	base := os.Getenv("NANOFORGE_BENCH_REF_SEARCH")
	if base == "" {
		b.Skip("NANOFORGE_BENCH_REF_SEARCH unset; scripts/bench.d/50-store.sh seeds and starts the reference")
	}
	for _, q := range searchQueries {
		if q.words == nil {
			continue // npm search has no unfiltered newest-first listing
		}
		b.Run(q.name, func(b *testing.B) {
			benchGetURL(b, func(int) string { return base + strings.Join(q.words, "+") })
		})
	}
}

// BenchmarkSearch runs searches among NANOFORGE_BENCH_RESOURCES resources: a rare word, a word
// shared by a fifth of the catalogue, an exact name, two words, a three-letter prefix, and the
// unfiltered newest-first listing.
func BenchmarkSearch(b *testing.B) {
	n := resourcesN()
	s := openBench(b)
	seedResources(b, s, n)
	for _, q := range searchQueries {
		query := "q=" + strings.Join(q.words, "+")
		if q.words == nil {
			query = "sort=newest"
		}
		b.Run(q.name, func(b *testing.B) {
			benchGet(b, s, n, func(int) string { return "/api/v1/search?" + query })
		})
	}
}

// BenchmarkUpload100MiB uploads a 100 MiB zip and reports the peak heap growth, which must stay
// far below the upload size because uploads are streamed to disk.
func BenchmarkUpload100MiB(b *testing.B) {
	s := openBench(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "big.zip")
	os.WriteFile(path, randomZip(b, 100<<20), 0o644)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	b.SetBytes(100 << 20)
	b.ResetTimer()
	for i := range b.N {
		f, _ := os.Open(path)
		s.upload(b, fmt.Sprintf("up-%d", i), f)
		f.Close()
	}
	b.StopTimer()
	close(stop)
	grow := int64(peak.Load()) - int64(base.HeapInuse)
	b.ReportMetric(float64(max(grow, 0))/(1<<20), "peak-heap-MiB")
}

type dbQ = db.Q
