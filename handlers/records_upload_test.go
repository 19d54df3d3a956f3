package handlers_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// xlsxBomb is issue 11's upload: a zip that looks like a workbook, whose
// sheet inflates to sheetBytes zero bytes from a few KB, followed by a part
// with a wrong checksum so that excelize fails after unpacking the sheet.
func xlsxBomb(t *testing.T, sheetBytes int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`},
	} {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.data))
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	block := make([]byte, 1<<20)
	for left := sheetBytes; left > 0; left -= len(block) {
		w.Write(block[:min(left, len(block))])
	}
	raw, _ := zw.CreateRaw(&zip.FileHeader{Name: "xl/styles.xml", Method: zip.Deflate, CRC32: 0xdeadbeef, CompressedSize64: 2})
	raw.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRecordsUploadZipBomb: a 48 MiB-unpacking XLSX of a few KB uploaded
// as sales records is refused with 413 naming the file, and leaves nothing
// in the temp dir nor in the blob store.
func TestRecordsUploadZipBomb(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		f := newClaimFixture(t, e)
		id := f.file(t, f.alice, "k", f.claimBody("driver", 0)).json(t)["id"].(string)
		bomb := xlsxBomb(t, 48<<20)
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		for _, kind := range []string{"sales_records", "trip_records"} {
			r := upload(t, e, f.alice, id, kind, "sales.xlsx", bomb)
			if r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s bomb of %d bytes: got %d %s, want 413", kind, len(bomb), r.status, r.body)
				continue
			}
			e := r.json(t)["error"].(map[string]any)
			msg, _ := e["fields"].(map[string]any)["file"].(string)
			if e["code"] != "too_large" || !strings.Contains(msg, "32 MiB") {
				t.Errorf("%s bomb: got error %v, want too_large with a file message naming 32 MiB", kind, e)
			}
		}
		b := loginBrowser(t, e, "alice@example.com")
		tok := formToken(t, b, e.srv.URL+"/claims/"+id)
		p := postMultipart(t, e, b, "/claims/"+id+"/evidence", [][2]string{{"csrf_token", tok}, {"kind", "sales_records"}},
			&formFile{field: "file", name: "sales.xlsx", content: bomb}, "")
		if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "32 MiB") {
			t.Errorf("claim page upload: got %d, want 413 naming the 32 MiB bound", p.status)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("left in the temp dir: %d files, first %s", len(left), left[0].Name())
		}
		filepath.WalkDir(e.blobDir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("left in the blob store: %s", path)
			}
			return nil
		})
		if n := countEvidence(t, e, id); n != 0 {
			t.Errorf("evidence recorded: got %d, want 0", n)
		}
	})
}
