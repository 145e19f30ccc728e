package core

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

func encoded(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A minimal WebP container header: RIFF, size, WEBP, VP8 chunk.
var webpHeader = append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8 "), make([]byte, 18)...)

func TestCheckImage(t *testing.T) {
	pngBytes := encoded(t, "png", 64, 64)
	for _, c := range []struct {
		name   string
		data   []byte
		ext    string
		status int
		msg    string
	}{
		{"png", pngBytes, "png", 0, ""},
		{"jpeg", encoded(t, "jpeg", 32, 16), "jpg", 0, ""},
		{"gif", encoded(t, "gif", 8, 8), "gif", 0, ""},
		{"webp", webpHeader, "webp", 0, ""},
		{"empty", nil, "", 422, "empty"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", 422, "not a PNG"},
		{"html", []byte("<html><body>hi</body></html>"), "", 422, "text/html"},
		{"zip", []byte("PK\x03\x04rest"), "", 422, "not a PNG"},
		{"truncated png", pngBytes[:20], "", 422, "could not be read"},
		{"too wide", encoded(t, "png", MaxImageDimension+1, 1), "", 422, "pixels"},
		{"too large", append(append([]byte{}, pngBytes...), make([]byte, MaxImageSize)...), "", 413, "limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ext, err := CheckImage(c.data)
			if c.status == 0 {
				if err != nil || ext != c.ext {
					t.Fatalf("CheckImage = %q, %v; want %q", ext, err, c.ext)
				}
				return
			}
			if StatusOf(err) != c.status || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("CheckImage error %v (status %d); want status %d mentioning %q", err, StatusOf(err), c.status, c.msg)
			}
		})
	}
}

// FuzzCheckImage: the image check reads untrusted uploads and must never panic; what it
// accepts has a known extension.
func FuzzCheckImage(f *testing.F) {
	f.Add(encoded(f, "png", 4, 4))
	f.Add(encoded(f, "gif", 2, 2))
	f.Add(encoded(f, "jpeg", 3, 5))
	f.Add(webpHeader)
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ext, err := CheckImage(b)
		if err == nil && ImageContentType(ext) == "" {
			t.Fatalf("accepted with unknown extension %q", ext)
		}
	})
}

func TestResourceImage(t *testing.T) {
	forBackends(t, func(t *testing.T, f *fixture) {
		alice, bob := f.user(t, "alice"), f.user(t, "bob")
		f.upload(t, alice, KindPackages, "pic", storetest.PackageZip(t, "1.0.0"), true, "")
		img := encoded(t, "png", 16, 16)
		_, err := f.svc.SetResourceImage(ctx, bob, KindPackages, "pic", bytes.NewReader(img))
		wantStatus(t, err, http.StatusForbidden)
		_, err = f.svc.SetResourceImage(ctx, alice, KindPackages, "pic", strings.NewReader("not an image"))
		wantStatus(t, err, http.StatusUnprocessableEntity)
		r, err := f.svc.SetResourceImage(ctx, alice, KindPackages, "pic", bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Image, "/images/") || !strings.HasSuffix(r.Image, ".png") {
			t.Fatalf("image path %q", r.Image)
		}
		file := strings.TrimPrefix(r.Image, "/images/")
		obj, ct, err := f.svc.OpenImage(ctx, file)
		if err != nil || ct != "image/png" {
			t.Fatalf("open image: %q %v", ct, err)
		}
		obj.Close()
		for _, bad := range []string{"x.png", strings.Repeat("g", 64) + ".png", strings.TrimSuffix(file, ".png") + ".svg", "../" + file} {
			if _, _, err := f.svc.OpenImage(ctx, bad); StatusOf(err) != http.StatusNotFound {
				t.Errorf("OpenImage(%q) = %v, want 404", bad, err)
			}
		}
		// Another resource may not point at arbitrary relative paths.
		evil := "//evil.example/x.png"
		_, err = f.svc.UpdateResource(ctx, alice, KindPackages, "pic", ResourceUpdate{Image: &evil})
		wantStatus(t, err, http.StatusUnprocessableEntity)
		// The cleanup keeps an image in use and removes it once nothing refers to it.
		f.clock.Add(2 * time.Hour)
		if _, err := f.svc.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		sha := strings.TrimSuffix(file, ".png")
		if _, err := f.env.Blob.Stat(ctx, ImageKey(sha)); err != nil {
			t.Fatalf("cleanup removed an image in use: %v", err)
		}
		none := ""
		if _, err := f.svc.UpdateResource(ctx, alice, KindPackages, "pic", ResourceUpdate{Image: &none}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Blob.Stat(ctx, ImageKey(sha)); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("unused image kept: %v", err)
		}
	})
}
