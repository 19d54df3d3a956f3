package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/web"
)

// staticAsset is one file of web/static with everything serving it needs,
// worked out once at start: the bytes, a gzip copy when that is smaller, the
// ETags of both representations and the media type.
type staticAsset struct {
	body, gz     []byte
	etag, gzETag string
	contentType  string
}

// staticMaxAge is how long a browser may reuse an asset without asking.
// Asset URLs carry no content hash, so it stays short; after it, the ETag
// makes the check a 304 without a body.
const staticMaxAge = "public, max-age=3600"

// staticAssets are web/static's files, loaded once per process: the files
// are built into the binary, so every router (tests build many) shares them.
var staticAssets = sync.OnceValues(func() (map[string]*staticAsset, error) {
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		return nil, err
	}
	return loadStatic(static)
})

// loadStatic reads every file under fsys. Text assets (CSS, JavaScript,
// JSON, SVG) are compressed once here, so a surge of first visits costs no
// compression CPU: Pico, htmx and Chart.js are about a fifth of their size
// gzipped.
func loadStatic(fsys fs.FS) (map[string]*staticAsset, error) {
	assets := map[string]*staticAsset{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		tag := hex.EncodeToString(sum[:12])
		a := &staticAsset{body: body, etag: `"` + tag + `"`, gzETag: `"` + tag + `-gz"`}
		a.contentType = mime.TypeByExtension(path.Ext(name))
		if a.contentType == "" {
			a.contentType = http.DetectContentType(body)
		}
		if compressible(a.contentType) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level never fails
			zw.Write(body)                                           //nolint:errcheck // a bytes.Buffer never fails
			zw.Close()                                               //nolint:errcheck // a bytes.Buffer never fails
			if buf.Len() < len(body)*9/10 {
				a.gz = buf.Bytes()
			}
		}
		assets[name] = a
		return nil
	})
	return assets, err
}

func compressible(contentType string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	switch t = strings.TrimSpace(t); {
	case strings.HasPrefix(t, "text/"), t == "application/javascript", t == "application/json", t == "image/svg+xml":
		return true
	}
	return false
}

// serveStatic answers GET and HEAD /static/*path from the loaded assets:
// gzip when the browser accepts it, 304 when its copy is current, 404
// (the site's own page) for anything else.
func (s *server) serveStatic(assets map[string]*staticAsset) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := assets[strings.TrimPrefix(c.Param("path"), "/")]
		if a == nil {
			s.fail(c, errNoRoute)
			return
		}
		h := c.Writer.Header()
		h.Set("Cache-Control", staticMaxAge)
		h.Set("Content-Type", a.contentType)
		body, etag := a.body, a.etag
		if a.gz != nil {
			h.Set("Vary", "Accept-Encoding")
			if acceptsGzip(c.GetHeader("Accept-Encoding")) {
				body, etag = a.gz, a.gzETag
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		if etagMatches(c.GetHeader("If-None-Match"), etag) {
			h.Del("Content-Type")
			h.Del("Content-Encoding")
			c.Status(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		c.Status(http.StatusOK)
		if c.Request.Method != http.MethodHead {
			c.Writer.Write(body) //nolint:errcheck // the client went away; nothing to tell it
		}
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip listed with a q above
// zero, or failing a gzip entry, * with a q above zero.
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(params)), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip":
			gz = q
		case "*":
			star = q
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// etagMatches reads an If-None-Match header: * or a list of tags, weak or
// strong (the weak comparison RFC 9110 prescribes for If-None-Match).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
