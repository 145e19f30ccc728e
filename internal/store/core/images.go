package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	_ "image/gif"  // registers GIF for DecodeConfig
	_ "image/jpeg" // registers JPEG for DecodeConfig
	_ "image/png"  // registers PNG for DecodeConfig
	"io"
	"net/http"
	"strings"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/db"
)

// Image limits: small enough to serve from any page without thought, large enough for a
// crisp square logo.
const (
	MaxImageSize      = 1 << 20 // bytes
	MaxImageDimension = 2048    // pixels per side
)

// imageTypes maps the sniffed content type of an accepted image to its file extension. SVG is
// refused on purpose: it can carry scripts.
var imageTypes = map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}

// ImageKey is where an uploaded image is stored (content-addressed like release zips).
func ImageKey(sha string) string { return "img/" + sha[:2] + "/" + sha[2:4] + "/" + sha }

// ImagePath is the URL path an uploaded image is served at; ext names its type.
func ImagePath(sha, ext string) string { return "/images/" + sha + "." + ext }

// ImageContentType returns the content type for an image file extension, or "" for none.
func ImageContentType(ext string) string {
	for ct, e := range imageTypes {
		if e == ext {
			return ct
		}
	}
	return ""
}

// CheckImage validates an uploaded image: at most MaxImageSize bytes, PNG, JPEG, GIF or WebP
// by its content (not its name), and for PNG, JPEG and GIF a readable header of at most
// MaxImageDimension pixels per side. It returns the file extension.
func CheckImage(b []byte) (string, error) {
	if len(b) == 0 {
		return "", invalid("image", "the image is empty; choose a PNG, JPEG, GIF or WebP file")
	}
	if len(b) > MaxImageSize {
		return "", errf(http.StatusRequestEntityTooLarge, "the image is %d bytes; the limit is %d bytes (1 MiB): scale it down or compress it", len(b), MaxImageSize)
	}
	ct := http.DetectContentType(b)
	ext, ok := imageTypes[ct]
	if !ok {
		return "", invalid("image", "the file is %s, not a PNG, JPEG, GIF or WebP image", ct)
	}
	if ext == "webp" {
		// The standard library has no WebP decoder; the sniffer already checked the RIFF/WEBP
		// header, and browsers decode it in a sandbox.
		return ext, nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", invalid("image", "the %s image could not be read (%v); save it again and retry", strings.ToUpper(ext), err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageDimension || cfg.Height > MaxImageDimension {
		return "", invalid("image", "the image is %d×%d pixels; each side must be 1 to %d", cfg.Width, cfg.Height, MaxImageDimension)
	}
	return ext, nil
}

// SetResourceImage stores an uploaded image for a resource (team owners and admins, manage
// scope) and points the resource at it. The image is content-addressed in the blob store and
// served at ImagePath, so its bytes never change under a URL.
func (s *Service) SetResourceImage(ctx context.Context, a Actor, kind, name string, r io.Reader) (Resource, error) {
	if !a.LoggedIn() {
		return Resource{}, errLogin
	}
	// Check the right before reading the body.
	res, err := s.resource(ctx, s.db.Q(), kind, name)
	if err != nil {
		return Resource{}, err
	}
	if err := s.requireTeam(ctx, s.db.Q(), a, res.Team, RoleAdmin, ScopeManage); err != nil {
		if ok, _ := s.canSeePrivate(ctx, s.db.Q(), a, res.Team.ID); !res.Public && !ok {
			return Resource{}, errf(http.StatusNotFound, "no %s named %q in the Store", kindNoun(kind), name)
		}
		return Resource{}, err
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxImageSize+1))
	if err != nil {
		return Resource{}, errf(http.StatusBadRequest, "the image upload was interrupted: %v", err)
	}
	ext, err := CheckImage(b)
	if err != nil {
		return Resource{}, err
	}
	sum := sha256.Sum256(b)
	sha := hex.EncodeToString(sum[:])
	if err := s.blob.Put(ctx, ImageKey(sha), bytes.NewReader(b), int64(len(b))); err != nil {
		return Resource{}, err
	}
	path := ImagePath(sha, ext)
	return s.UpdateResource(ctx, a, kind, name, ResourceUpdate{Image: &path})
}

// OpenImage opens an uploaded image by its file name (<sha256>.<ext>, as in ImagePath). Images
// are public: anyone who knows the hash may fetch it.
func (s *Service) OpenImage(ctx context.Context, file string) (blob.Object, string, error) {
	sha, ext, ok := strings.Cut(file, ".")
	ct := ImageContentType(ext)
	if !ok || ct == "" || len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
		return nil, "", errf(http.StatusNotFound, "no image %q", file)
	}
	obj, err := s.blob.Open(ctx, ImageKey(sha))
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, "", errf(http.StatusNotFound, "no image %q", file)
		}
		return nil, "", err
	}
	return obj, ct, nil
}

// imageReferenced reports whether a stored image is still used by a resource or a team.
func (s *Service) imageReferenced(ctx context.Context, q db.Q, sha string) (bool, error) {
	var n int
	like := "%/images/" + sha + ".%"
	err := q.Row(ctx, `SELECT (SELECT COUNT(*) FROM resources WHERE image LIKE ?) + (SELECT COUNT(*) FROM teams WHERE image LIKE ?)`, like, like).Scan(&n)
	return n > 0, err
}
