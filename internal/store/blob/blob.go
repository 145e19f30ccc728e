// Package blob stores release files by key, on a local folder or an S3-compatible bucket.
//
// Writes are atomic: an object appears under its key only once it is complete, so a process
// killed mid-write leaves at most a temporary object that List reports for cleanup.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNotFound is returned by Open and Stat for a missing key.
var ErrNotFound = errors.New("blob not found")

// Object is an open blob: seekable so downloads can serve byte ranges.
type Object interface {
	io.ReadSeekCloser
	// Size is the object's length in bytes.
	Size() int64
	// ModTime is when the object was written.
	ModTime() time.Time
}

// Info describes a stored object.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Store is a place for blobs. Implementations must be safe for concurrent use by several
// processes sharing the same folder or bucket.
type Store interface {
	// Put writes size bytes from r under key, replacing nothing: an existing key is left alone
	// (keys are content addresses, so the bytes are the same).
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open opens key for reading.
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes key.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List reports every object whose key starts with prefix.
	List(ctx context.Context, prefix string) ([]Info, error)
}

// Open opens the store named by spec: a local folder path, or s3://bucket[/prefix].
// For S3, endpoint, access key and secret come from opts, falling back to the usual
// AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION variables.
func Open(ctx context.Context, spec string, opts S3Options) (Store, error) {
	if strings.HasPrefix(spec, "s3://") {
		u, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("blob store: bad URL %q: %w (use s3://bucket or s3://bucket/prefix)", spec, err)
		}
		opts.Bucket = u.Host
		opts.Prefix = strings.Trim(u.Path, "/")
		return NewS3(ctx, opts)
	}
	return NewLocal(spec)
}

// ---------------------------------------------------------------- local folder

// Local keeps blobs as files under a folder.
type Local struct {
	root string
}

// NewLocal opens (creating) a folder blob store.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(filepath.Join(dir, ".tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("blob store: create %s: %w (check --blob and permissions)", dir, err)
	}
	return &Local{root: dir}, nil
}

func (l *Local) path(key string) (string, error) {
	if key == "" || !filepath.IsLocal(key) || strings.Contains(key, `\`) {
		return "", fmt.Errorf("blob store: invalid key %q", key)
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Put implements Store by writing a temporary file and renaming it into place.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	f, err := os.CreateTemp(filepath.Join(l.root, ".tmp"), "put-*")
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("wrote %d bytes, expected %d", n, size)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("blob store: write %s: %w", key, err)
	}
	return nil
}

type localObject struct {
	*os.File
	info os.FileInfo
}

// OSFile exposes the open file so HTTP servers can send it with sendfile.
func (o localObject) OSFile() *os.File { return o.File }

func (o localObject) Size() int64        { return o.info.Size() }
func (o localObject) ModTime() time.Time { return o.info.ModTime() }

// Open implements Store.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return localObject{f, st}, nil
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// List implements Store. Temporary files of interrupted writes are listed under ".tmp/".
func (l *Local) List(ctx context.Context, prefix string) ([]Info, error) {
	var out []Info
	err := filepath.WalkDir(l.root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, Info{Key: key, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	return out, err
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ---------------------------------------------------------------- S3

// S3Options configures an S3-compatible bucket.
type S3Options struct {
	Endpoint  string // host:port or URL; default AWS_ENDPOINT_URL or s3.amazonaws.com
	AccessKey string
	SecretKey string
	Region    string
	Insecure  bool // plain HTTP (local test servers)
	Bucket    string
	Prefix    string
}

// S3 keeps blobs in an S3-compatible bucket. S3 PUTs are atomic, so no temporary objects exist.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
}

// NewS3 connects to a bucket, creating it when missing.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Endpoint == "" {
		o.Endpoint = os.Getenv("AWS_ENDPOINT_URL")
	}
	if o.AccessKey == "" {
		o.AccessKey = os.Getenv("AWS_ACCESS_KEY_ID")
	}
	if o.SecretKey == "" {
		o.SecretKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
	}
	if o.Region == "" {
		o.Region = os.Getenv("AWS_REGION")
	}
	if o.Endpoint == "" {
		o.Endpoint = "s3.amazonaws.com"
	}
	secure := !o.Insecure
	if u, err := url.Parse(o.Endpoint); err == nil && u.Host != "" {
		o.Endpoint = u.Host
		secure = u.Scheme == "https"
	}
	if o.Bucket == "" {
		return nil, errors.New("blob store: S3 needs a bucket (use --blob s3://bucket)")
	}
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: secure,
		Region: o.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob store: S3 endpoint %s: %w", o.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob store: S3 bucket %s at %s: %w (check endpoint and credentials)", o.Bucket, o.Endpoint, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, o.Bucket, minio.MakeBucketOptions{Region: o.Region}); err != nil {
			return nil, fmt.Errorf("blob store: create S3 bucket %s: %w", o.Bucket, err)
		}
	}
	p := o.Prefix
	if p != "" {
		p += "/"
	}
	return &S3{c: c, bucket: o.Bucket, prefix: p}, nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if _, err := s.Stat(ctx, key); err == nil {
		return nil
	}
	_, err := s.c.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("blob store: S3 put %s: %w", key, err)
	}
	return nil
}

type s3Object struct {
	*minio.Object
	info minio.ObjectInfo
}

func (o s3Object) Size() int64        { return o.info.Size }
func (o s3Object) ModTime() time.Time { return o.info.LastModified }

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	o, err := s.c.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.err(err)
	}
	info, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, s.err(err)
	}
	return s3Object{o, info}, nil
}

func (s *S3) err(err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return ErrNotFound
	}
	return err
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	info, err := s.c.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		if r := minio.ToErrorResponse(err); r.Code == "NoSuchKey" || r.StatusCode == 404 {
			return Info{}, ErrNotFound
		}
		return Info{}, err
	}
	return Info{Key: key, Size: info.Size, ModTime: info.LastModified}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	return s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	var out []Info
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, o.Err
		}
		out = append(out, Info{Key: strings.TrimPrefix(o.Key, s.prefix), Size: o.Size, ModTime: o.LastModified})
	}
	return out, nil
}
