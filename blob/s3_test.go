package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/blob"
	"github.com/bosang/bosang/blob/blobtest"
)

// TestS3CreatesMissingBucket: the first instance creates the bucket, the
// next one starts over the existing bucket.
func TestS3CreatesMissingBucket(t *testing.T) {
	cfg := blobtest.S3(t)
	ctx := context.Background()
	c := blobtest.Client(t, cfg)
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || ok {
		t.Fatalf("before: bucket exists %v, %v; want a missing bucket", ok, err)
	}
	if _, err := blob.NewS3(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		t.Fatalf("after: bucket exists %v, %v; want it created", ok, err)
	}
	if _, err := blob.NewS3(ctx, cfg); err != nil {
		t.Fatalf("a second instance over the existing bucket: %v", err)
	}
}

// TestS3PutOpenDelete: the Store contract on S3: bytes back, Seek and
// ReadAt, ErrNotFound for a missing object, Delete idempotent.
func TestS3PutOpenDelete(t *testing.T) {
	s := newS3(t)
	ctx := context.Background()
	data := randomBytes(200 << 10)
	put(t, s, "evidence/c1/e1", data)
	f := open(t, s, "evidence/c1/e1")
	if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	if end, err := f.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
		t.Errorf("Seek(0, End) = %d, %v; want %d", end, err, len(data))
	}
	f.Seek(100_000, io.SeekStart)
	got := make([]byte, 1000)
	if _, err := io.ReadFull(f, got); err != nil || !bytes.Equal(got, data[100_000:101_000]) {
		t.Errorf("Seek(100000)+Read: %v, or bytes differ", err)
	}
	if n, err := f.(io.ReaderAt).ReadAt(got, 150_000); n != len(got) || !bytes.Equal(got, data[150_000:151_000]) {
		t.Errorf("ReadAt(150000): %d, %v, or bytes differ", n, err)
	}

	if err := s.Delete(ctx, "evidence/c1/e1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "evidence/c1/e1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("open after delete: got %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "evidence/c1/e1"); err != nil {
		t.Errorf("deleting a missing object: %v, want no error", err)
	}
	if _, err := s.Open(ctx, "evidence/never/stored"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("open of a key never stored: got %v, want ErrNotFound", err)
	}
	if _, err := s.Put(ctx, "../escape", strings.NewReader("x")); !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("put under a foreign key: got %v, want ErrInvalid", err)
	}
}

// TestS3FailedPutLeavesNothing: an upload that fails after its first part
// has gone leaves no object (the multipart upload is never completed).
func TestS3FailedPutLeavesNothing(t *testing.T) {
	s := newS3(t)
	ctx := context.Background()
	broken := io.MultiReader(bytes.NewReader(randomBytes(blob.PartSize+1<<20)), errReader{})
	if _, err := s.Put(ctx, "evidence/c1/broken", broken); err == nil {
		t.Fatal("put from a failing reader: no error")
	}
	if _, err := s.Open(ctx, "evidence/c1/broken"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("after a failed put: got %v, want ErrNotFound", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("client went away") }

// TestS3SharedAcrossInstances: what one instance stores, another over the
// same bucket reads, and an encrypted file opens there with the same
// portal key.
func TestS3SharedAcrossInstances(t *testing.T) {
	cfg := blobtest.S3(t)
	ctx := context.Background()
	a, err := blob.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blob.NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := newSealer(t)
	data := randomBytes(100 << 10)
	put(t, blob.NewEncrypted(a, sealer), "evidence/c1/shared", data)
	if got, err := io.ReadAll(open(t, blob.NewEncrypted(b, sealer), "evidence/c1/shared")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("read through the other instance: %d bytes, %v", len(got), err)
	}
}

// TestS3StreamsInBoundedMemory puts and reads back a 64 MiB file through
// Encrypted over S3 and samples the live heap as the bytes pass: neither
// direction may hold the file, only a part (5 MiB) and a package (64 KiB).
func TestS3StreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB through S3")
	}
	s := newS3(t)
	sealer, _ := newSealer(t)
	enc := blob.NewEncrypted(s, sealer)
	const size = 64 << 20
	ctx := context.Background()

	sum := sha256.New()
	up := newHeapPeak()
	src := &sampledReader{r: io.TeeReader(io.LimitReader(rand.NewChaCha8([32]byte{1}), size), sum), h: up}
	if n, err := enc.Put(ctx, "evidence/big/file", src); err != nil || n != size {
		t.Fatalf("put: %d bytes, %v", n, err)
	}
	want := sum.Sum(nil)

	f := open(t, enc, "evidence/big/file")
	down := newHeapPeak()
	got := sha256.New()
	if n, err := io.Copy(&sampledWriter{w: got, h: down}, f); err != nil || n != size {
		t.Fatalf("read back: %d bytes, %v", n, err)
	}
	if !bytes.Equal(got.Sum(nil), want) {
		t.Fatal("read back bytes differ from those put")
	}
	t.Logf("live heap growth over %d MiB: upload %.0f KiB, download %.0f KiB (%d and %d samples)",
		size>>20, float64(up.peak)/1024, float64(down.peak)/1024, up.samples, down.samples)
	for _, h := range []struct {
		name string
		p    *heapPeak
	}{{"upload", up}, {"download", down}} {
		if h.p.samples < 8 {
			t.Errorf("%s: %d heap samples, want at least 8", h.name, h.p.samples)
		}
		if h.p.peak > size/4 {
			t.Errorf("%s: live heap grew %.1f MiB for a %d MiB file, want under %d MiB", h.name, mib(h.p.peak), size>>20, size>>22)
		}
	}
}

func newS3(t *testing.T) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(context.Background(), blobtest.S3(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// heapPeak keeps the largest growth of the live heap (measured after a
// collection, so garbage does not count) over the heap when it was made.
type heapPeak struct {
	base, peak uint64
	samples    int
	since      int
}

// sampleEvery is how many bytes pass between two samples.
const sampleEvery = 2 << 20

func newHeapPeak() *heapPeak {
	h := &heapPeak{}
	h.base = liveHeap()
	return h
}

func (h *heapPeak) passed(n int) {
	if h.since += n; h.since < sampleEvery {
		return
	}
	h.since = 0
	h.samples++
	if live := liveHeap(); live > h.base && live-h.base > h.peak {
		h.peak = live - h.base
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

type sampledReader struct {
	r io.Reader
	h *heapPeak
}

func (s *sampledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.passed(n)
	return n, err
}

type sampledWriter struct {
	w io.Writer
	h *heapPeak
}

func (s *sampledWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.h.passed(n)
	return n, err
}
