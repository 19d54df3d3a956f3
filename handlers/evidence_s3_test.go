package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/blob/blobtest"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestEvidenceAcrossInstancesOnS3: two portal instances over one database
// and one bucket (each with its own S3 client, both with the portal's
// key). A file uploaded through one downloads through the other, whole and
// by a range across an encryption package, to its owner and to staff (with
// the access record), and not to another claimant; nothing lands on either
// instance's disk.
func TestEvidenceAcrossInstancesOnS3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		bucket := blobtest.S3(t)
		portalKey := make([]byte, 32)
		rand.Read(portalKey)
		sealer, err := pii.NewSealer(portalKey)
		if err != nil {
			t.Fatal(err)
		}
		onS3 := func(d *handlers.Deps) {
			s, err := blob.NewS3(context.Background(), bucket)
			if err != nil {
				t.Fatal(err)
			}
			d.Claims = claims.NewService(db.Claims(), d.Outages, sealer, blob.NewEncrypted(s, sealer), claims.DefaultEvidenceLimits,
				d.Now, func() string { return uuid.Must(uuid.NewV7()).String() })
		}
		a := newTestEnvWith(t, db, onS3)
		// The second instance shares the first's sign-in keys and audit
		// trail, as instances sharing a configuration do.
		b := newTestEnvWith(t, db, func(d *handlers.Deps) {
			onS3(d)
			d.Auth, d.Audit, d.CSRFKey = a.auth, a.audit, a.jwtKey
		})

		f := newReviewFixture(t, a)
		id := f.file(t, f.alice, "across", f.claimBody("driver", 0)).json(t)["id"].(string)
		content := pngBytes(0)
		content = append(content, make([]byte, 200<<10)...)
		rand.Read(content[16:])
		up := upload(t, a, f.alice, id, "screenshot", "shot.png", content)
		if up.status != http.StatusCreated {
			t.Fatalf("upload through A: %d %s", up.status, up.body)
		}
		path := "/api/v1/claims/" + id + "/evidence/" + up.json(t)["id"].(string)

		if r := b.call(t, "GET", path, nil, bearer(f.alice)...); r.status != http.StatusOK || !bytes.Equal(r.body, content) {
			t.Errorf("owner's download through B: %d, %d bytes; want 200 and the %d bytes uploaded", r.status, len(r.body), len(content))
		}
		r := b.call(t, "GET", path, nil, append(bearer(f.alice), "Range", "bytes=65530-65545")...)
		if r.status != http.StatusPartialContent || !bytes.Equal(r.body, content[65530:65546]) {
			t.Errorf("range across the first package through B: %d, %x; want 206 and %x", r.status, r.body, content[65530:65546])
		}
		if r := b.call(t, "GET", path, nil, bearer(f.bob)...); r.status != http.StatusNotFound {
			t.Errorf("another claimant through B: %d, want 404", r.status)
		}
		records := fmt.Sprintf("SELECT count(*) FROM audit_entries WHERE action = 'claim.download_evidence' AND entity_id = '%s'", id)
		before := countWhere(t, db, records)
		if r := b.call(t, "GET", path, nil, bearer(f.reviewer)...); r.status != http.StatusOK || !bytes.Equal(r.body, content) {
			t.Errorf("reviewer's download through B: %d, %d bytes", r.status, len(r.body))
		}
		if n := countWhere(t, db, records); n != before+1 {
			t.Errorf("access records of the reviewer's download: %d new, want 1", n-before)
		}
		for _, e := range []*testEnv{a, b} {
			filepath.WalkDir(e.blobDir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("on local disk with S3 configured: %s", p)
				}
				return nil
			})
		}
	})
}
