package blob_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/blob"
)

// The DARE package payload: offsets around its multiples are where a
// seek changes package.
const pkg = 64 << 10

// TestEncryptedRoundTrip: what goes in comes out, at sizes on both sides of
// a package boundary, and Seek to the end gives the plaintext size.
func TestEncryptedRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sealer, _ := newSealer(t)
		enc := blob.NewEncrypted(b.store, sealer)
		for _, tt := range []struct {
			name string
			size int
		}{
			{"one byte", 1},
			{"one package less a byte", pkg - 1},
			{"exactly one package", pkg},
			{"one package and a byte", pkg + 1},
			{"three packages and some", 3*pkg + 7},
		} {
			t.Run(tt.name, func(t *testing.T) {
				want := randomBytes(tt.size)
				key := "evidence/round/" + strings.ReplaceAll(tt.name, " ", "-")
				put(t, enc, key, want)
				f := open(t, enc, key)
				got, err := io.ReadAll(f)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("read back %d bytes, %v; want the %d bytes put", len(got), err, len(want))
				}
				if end, err := f.Seek(0, io.SeekEnd); err != nil || end != int64(tt.size) {
					t.Errorf("Seek(0, End) = %d, %v; want %d", end, err, tt.size)
				}
			})
		}
	})
}

// TestEncryptedSeeksAndRanges reads at offsets around package boundaries
// with Seek+Read and ReadAt, and serves ranges through http.ServeContent as
// the evidence download does.
func TestEncryptedSeeksAndRanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sealer, _ := newSealer(t)
		enc := blob.NewEncrypted(b.store, sealer)
		data := randomBytes(3*pkg + 7)
		put(t, enc, "evidence/seek/file", data)
		f := open(t, enc, "evidence/seek/file")
		for _, off := range []int{0, 1, pkg - 1, pkg, pkg + 1, 2 * pkg, 3*pkg - 3, len(data) - 1} {
			want := data[off:min(off+1000, len(data))]
			if _, err := f.Seek(int64(off), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(want))
			if _, err := io.ReadFull(f, got); err != nil || !bytes.Equal(got, want) {
				t.Errorf("Seek(%d)+Read: %v, or bytes differ", off, err)
			}
			if pos, _ := f.Seek(0, io.SeekCurrent); pos != int64(off+len(want)) {
				t.Errorf("after reading %d at %d: position %d", len(want), off, pos)
			}
			got = make([]byte, len(want))
			if n, err := f.(io.ReaderAt).ReadAt(got, int64(off)); n != len(want) || !bytes.Equal(got, want) || (err != nil && err != io.EOF) {
				t.Errorf("ReadAt(%d): %d bytes, %v, or bytes differ", off, n, err)
			}
		}
		// ReadAt leaves the position of Read where it was.
		f.Seek(10, io.SeekStart)
		f.(io.ReaderAt).ReadAt(make([]byte, 10), 2*pkg)
		got := make([]byte, 5)
		if _, err := io.ReadFull(f, got); err != nil || !bytes.Equal(got, data[10:15]) {
			t.Errorf("Read after a ReadAt elsewhere: got %x, %v; want %x", got, err, data[10:15])
		}
		if n, err := f.(io.ReaderAt).ReadAt(make([]byte, 10), int64(len(data)-4)); n != 4 || err != io.EOF {
			t.Errorf("ReadAt past the end: %d, %v; want 4, EOF", n, err)
		}

		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f := open(t, enc, "evidence/seek/file")
			w.Header().Set("Content-Type", "application/octet-stream")
			http.ServeContent(w, r, "file", time.Time{}, f)
		}))
		defer srv.Close()
		for _, rg := range [][2]int{{0, 9}, {pkg - 5, pkg + 5}, {2*pkg + 100, len(data) - 1}} {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", rg[0], rg[1]))
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[rg[0]:rg[1]+1]) {
				t.Errorf("range %d-%d: status %d, %d bytes; want 206 and the range", rg[0], rg[1], resp.StatusCode, len(got))
			}
		}
	})
}

// TestEncryptedAtRest: what the store keeps holds no plaintext, and a copy
// of the same file is stored differently (a fresh data key per file).
func TestEncryptedAtRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sealer, _ := newSealer(t)
		enc := blob.NewEncrypted(b.store, sealer)
		secret := []byte(strings.Repeat("예금주 김철용 계좌 110-123-456789\n", 5000))
		put(t, enc, "evidence/rest/a", secret)
		put(t, enc, "evidence/rest/b", secret)
		rawA, rawB := b.raw(t, "evidence/rest/a"), b.raw(t, "evidence/rest/b")
		for _, needle := range []string{"110-123-456789", "김철용"} {
			if bytes.Contains(rawA, []byte(needle)) {
				t.Errorf("stored bytes contain %q", needle)
			}
		}
		if bytes.Equal(rawA[len(rawA)-1000:], rawB[len(rawB)-1000:]) {
			t.Error("the same file stored twice gave the same ciphertext: want a fresh data key per file")
		}
		if got, _ := io.ReadAll(open(t, enc, "evidence/rest/a")); !bytes.Equal(got, secret) {
			t.Error("the stored file does not read back")
		}
	})
}

// TestEncryptedDetectsTampering: a stored file changed in any way does not
// read back as plaintext: ErrCorrupt from Open or from the read.
func TestEncryptedDetectsTampering(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sealer, _ := newSealer(t)
		enc := blob.NewEncrypted(b.store, sealer)
		data := randomBytes(3*pkg + 7)
		put(t, enc, "evidence/orig/file", data)
		raw := b.raw(t, "evidence/orig/file")
		const dare = 64<<10 + 32 // a whole DARE package as stored
		head := len(raw) - (3*dare + 7 + 32)
		flip := func(i int) []byte { c := bytes.Clone(raw); c[i] ^= 1; return c }
		swapped := bytes.Clone(raw)
		copy(swapped[head:], raw[head+dare:head+2*dare])
		copy(swapped[head+dare:], raw[head:head+dare])
		for _, tt := range []struct {
			name   string
			stored []byte
		}{
			{"a content byte flipped", flip(head + dare + 100)},
			{"the last byte flipped", flip(len(raw) - 1)},
			{"a byte of the sealed data key flipped", flip(head - 5)},
			{"a byte of a package header flipped", flip(head + dare + 2)},
			{"two packages swapped", swapped},
			{"the last package cut off", raw[:head+3*dare]},
			{"cut inside a package", raw[:len(raw)-3]},
			{"cut to its header", raw[:head]},
			{"bytes appended", append(bytes.Clone(raw), 1, 2, 3)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				b.writeRaw(t, "evidence/orig/file", tt.stored)
				f, err := enc.Open(context.Background(), "evidence/orig/file")
				if err != nil {
					if !errors.Is(err, blob.ErrCorrupt) {
						t.Errorf("Open: got %v, want ErrCorrupt", err)
					}
					return
				}
				defer f.Close()
				if _, err := io.ReadAll(f); !errors.Is(err, blob.ErrCorrupt) {
					t.Errorf("Read: got %v, want ErrCorrupt", err)
				}
				size, _ := f.Seek(0, io.SeekEnd)
				if _, err := f.(io.ReaderAt).ReadAt(make([]byte, size), 0); !errors.Is(err, blob.ErrCorrupt) {
					t.Errorf("ReadAt: got %v, want ErrCorrupt", err)
				}
			})
		}
		t.Run("unchanged", func(t *testing.T) {
			b.writeRaw(t, "evidence/orig/file", raw)
			if got, err := io.ReadAll(open(t, enc, "evidence/orig/file")); err != nil || !bytes.Equal(got, data) {
				t.Errorf("the stored bytes written back: %d bytes, %v; want the original", len(got), err)
			}
		})
		t.Run("copied under another key", func(t *testing.T) {
			b.writeRaw(t, "evidence/other/file", raw)
			if _, err := enc.Open(context.Background(), "evidence/other/file"); !errors.Is(err, blob.ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt: a data key opens only for its own blob", err)
			}
		})
	})
}

// TestEncryptedKeyRotation: files sealed before a rotation of the portal's
// key open while the old key is kept as a previous key, and not after it
// is dropped.
func TestEncryptedKeyRotation(t *testing.T) {
	b := diskBackend(t)
	oldSealer, oldKey := newSealer(t)
	put(t, blob.NewEncrypted(b.store, oldSealer), "evidence/rot/old", []byte("sealed with the old key"))

	rotated, _ := newSealer(t, oldKey)
	enc := blob.NewEncrypted(b.store, rotated)
	if got, err := io.ReadAll(open(t, enc, "evidence/rot/old")); err != nil || string(got) != "sealed with the old key" {
		t.Errorf("after rotation, the old file: %q, %v", got, err)
	}
	put(t, enc, "evidence/rot/new", []byte("sealed with the new key"))
	if got, err := io.ReadAll(open(t, enc, "evidence/rot/new")); err != nil || string(got) != "sealed with the new key" {
		t.Errorf("after rotation, a new file: %q, %v", got, err)
	}

	dropped, _ := newSealer(t)
	if _, err := blob.NewEncrypted(b.store, dropped).Open(context.Background(), "evidence/rot/old"); !errors.Is(err, blob.ErrCorrupt) {
		t.Errorf("with the old key dropped: got %v, want ErrCorrupt", err)
	}
}

// TestEncryptedReadsLegacyPlaintext: a file stored before encryption (no
// header) reads back as it is, seekable and with ReadAt.
func TestEncryptedReadsLegacyPlaintext(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sealer, _ := newSealer(t)
		legacy := append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(2*pkg)...)
		put(t, b.store, "evidence/legacy/file", legacy)
		f := open(t, blob.NewEncrypted(b.store, sealer), "evidence/legacy/file")
		if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, legacy) {
			t.Fatalf("legacy file: %d bytes, %v; want it as stored", len(got), err)
		}
		if end, _ := f.Seek(0, io.SeekEnd); end != int64(len(legacy)) {
			t.Errorf("legacy size %d, want %d", end, len(legacy))
		}
		if _, ok := f.(io.ReaderAt); !ok {
			t.Error("legacy file is no io.ReaderAt: XLSX detection needs one")
		}
	})
}

// TestEncryptedWorkbookThroughReaderAt: an XLSX is recognised by opening
// it as a zip through ReadAt, as claims does.
func TestEncryptedWorkbookThroughReaderAt(t *testing.T) {
	sealer, _ := newSealer(t)
	enc := blob.NewEncrypted(diskBackend(t).store, sealer)
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	w.Write(randomBytes(150 << 10)) // the directory lands in a later package
	w, _ = z.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	z.Close()
	put(t, enc, "evidence/xlsx/file", buf.Bytes())
	f := open(t, enc, "evidence/xlsx/file")
	r, err := zip.NewReader(f.(io.ReaderAt), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != 2 || r.File[1].Name != "xl/workbook.xml" {
		t.Errorf("zip entries %v, want the sheet and the workbook", r.File)
	}
}

// TestEncryptedRefusesForeignKeys: keys outside the server-generated
// pattern are refused before anything is stored.
func TestEncryptedRefusesForeignKeys(t *testing.T) {
	sealer, _ := newSealer(t)
	enc := blob.NewEncrypted(diskBackend(t).store, sealer)
	for _, key := range []string{"../etc/passwd", "evidence//x", "Evidence/x", ""} {
		if _, err := enc.Put(context.Background(), key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q): no error", key)
		}
	}
}
