package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/bosang/bosang/store/dbtest"
	"github.com/bosang/bosang/web"
)

// getRaw fetches url with the headers given as name, value pairs, without the
// client's transparent decompression, and returns the response and the raw
// body as sent.
func getRaw(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// An explicit Accept-Encoding (even "identity") turns the transport's
	// own gzip handling off, so the body is what went over the wire.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestStaticAssets: assets are served as built into the binary, gzipped
// when the browser takes it, revalidated by ETag, and nothing else is.
// Static files never touch the database, so one dialect is enough.
func TestStaticAssets(t *testing.T) {
	e := newTestEnv(t, dbtest.NewSQLite(t))
	want, err := fs.ReadFile(web.Static, "static/vendor/pico.min.css")
	if err != nil {
		t.Fatal(err)
	}
	url := e.srv.URL + "/static/vendor/pico.min.css"

	plain, body := getRaw(t, url)
	if plain.StatusCode != http.StatusOK || !bytes.Equal(body, want) || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity: got %d, %d bytes, encoding %q; want 200 with the file as is", plain.StatusCode, len(body), plain.Header.Get("Content-Encoding"))
	}
	if ct := plain.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
		t.Errorf("content type %q, want text/css; charset=utf-8", ct)
	}
	if !strings.HasPrefix(plain.Header.Get("Cache-Control"), "public, max-age=") || plain.Header.Get("ETag") == "" || plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("caching headers: Cache-Control %q, ETag %q, Vary %q", plain.Header.Get("Cache-Control"), plain.Header.Get("ETag"), plain.Header.Get("Vary"))
	}

	gz, zbody := getRaw(t, url, "Accept-Encoding", "br, gzip;q=0.8")
	if gz.StatusCode != http.StatusOK || gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: got %d encoding %q, want 200 gzip", gz.StatusCode, gz.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, want) {
		t.Fatalf("gzip body does not unpack to the file (%v)", err)
	}
	if len(zbody)*3 > len(want) || gz.Header.Get("Content-Length") == "" {
		t.Errorf("gzip: %d bytes of %d (Content-Length %q), want under a third with a length", len(zbody), len(want), gz.Header.Get("Content-Length"))
	}
	if gz.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Errorf("the gzip and identity representations share ETag %s", gz.Header.Get("ETag"))
	}
	t.Logf("pico.min.css: %d bytes, %d gzipped", len(want), len(zbody))

	for _, c := range []struct{ name, accept, etag string }{
		{"identity", "identity", plain.Header.Get("ETag")},
		{"gzip", "gzip", gz.Header.Get("ETag")},
		{"weak and listed", "gzip", `"other", W/` + gz.Header.Get("ETag")},
	} {
		r, b := getRaw(t, url, "Accept-Encoding", c.accept, "If-None-Match", c.etag)
		if r.StatusCode != http.StatusNotModified || len(b) != 0 {
			t.Errorf("%s: If-None-Match %s got %d with %d bytes, want 304 and no body", c.name, c.etag, r.StatusCode, len(b))
		}
	}
	if r, _ := getRaw(t, url, "Accept-Encoding", "gzip", "If-None-Match", plain.Header.Get("ETag")); r.StatusCode != http.StatusOK {
		t.Errorf("the identity ETag revalidated the gzip representation: got %d, want 200", r.StatusCode)
	}
	for _, accept := range []string{"gzip;q=0", "gzip;q=0.0, *", "deflate", "*;q=0"} {
		if r, _ := getRaw(t, url, "Accept-Encoding", accept); r.Header.Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: got %q, want no encoding", accept, r.Header.Get("Content-Encoding"))
		}
	}
	if r, _ := getRaw(t, url, "Accept-Encoding", "*"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding *: got %q, want gzip", r.Header.Get("Content-Encoding"))
	}

	head, hb := func() (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodHead, url, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}()
	if head.StatusCode != http.StatusOK || len(hb) != 0 || head.Header.Get("Content-Length") != plain.Header.Get("Content-Length") {
		t.Errorf("HEAD: got %d, %d bytes, length %q", head.StatusCode, len(hb), head.Header.Get("Content-Length"))
	}

	for _, p := range []string{"/static/no-such.css", "/static/../templates/layout.html", "/static/%2e%2e/templates/layout.html", "/static/", "/static/vendor"} {
		if r, _ := getRaw(t, e.srv.URL+p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", p, r.StatusCode)
		}
	}
}
