package blob

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/minio/sio"
)

// DARE 2.0 cuts the plaintext into packages of 64 KiB (the last may be
// shorter), each stored as a 16-byte header, the sealed payload and a
// 16-byte tag, and numbered by its position: package t of the plaintext
// begins at t*darePackage in the stream, and decrypts on its own given t.
const (
	darePayload = 1 << 16
	darePackage = 16 + darePayload + 16
)

// decrypted reads an encrypted blob's DARE stream as plaintext. Read keeps
// one decrypting stream going; Seek and ReadAt start a new one at the
// package holding the offset, so neither reads what lies before it. At most
// one package (64 KiB) is held.
type decrypted struct {
	mu     sync.Mutex
	src    io.ReadSeekCloser
	config sio.Config
	start  int64 // where the DARE stream begins in src
	size   int64 // plaintext bytes
	off    int64 // plaintext offset of the next Read
	// stream decrypts from off onwards; nil until the next Read starts one.
	stream io.Reader
	// pos is where src stands when no stream has read from it since, else
	// -1: a read from the start goes on from the header without a seek.
	pos int64
}

// streamAt positions src at the package holding plaintext offset off and
// returns a reader decrypting from off.
func (d *decrypted) streamAt(off int64) (io.Reader, error) {
	t := off / darePayload
	if at := d.start + t*darePackage; at != d.pos {
		if _, err := d.src.Seek(at, io.SeekStart); err != nil {
			return nil, err
		}
	}
	d.pos = -1
	cfg := d.config
	cfg.SequenceNumber = uint32(t)
	r, err := sio.DecryptReader(d.src, cfg)
	if err != nil {
		return nil, err
	}
	if skip := off - t*darePayload; skip > 0 {
		if _, err := io.CopyN(io.Discard, r, skip); err != nil {
			return nil, corrupt(err)
		}
	}
	return r, nil
}

func (d *decrypted) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.off >= d.size {
		return 0, io.EOF
	}
	if d.stream == nil {
		s, err := d.streamAt(d.off)
		if err != nil {
			return 0, err
		}
		d.stream = s
	}
	if rest := d.size - d.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := d.stream.Read(p)
	d.off += int64(n)
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		d.stream = nil
		return n, corrupt(err)
	case d.off < d.size && err != nil:
		d.stream = nil
		return n, fmt.Errorf("stream ends at %d of %d bytes: %w", d.off, d.size, ErrCorrupt)
	case d.off < d.size:
		return n, nil
	}
	return n, endOf(d.stream)
}

// endOf checks that a stream whose plaintext has all been read ends there
// with DARE's final package: the size comes from the object's length, so
// only this tells a whole stream from one cut at a package boundary. It
// returns io.EOF for a whole stream.
func endOf(s io.Reader) error {
	var b [1]byte
	n, err := s.Read(b[:])
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return io.EOF
	case err == nil:
		return fmt.Errorf("data past the end: %w", ErrCorrupt)
	}
	return corrupt(err)
}

// Seek moves the offset of the next Read; the end is the plaintext size.
func (d *decrypted) Seek(offset int64, whence int) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	abs := offset
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		abs += d.off
	case io.SeekEnd:
		abs += d.size
	default:
		return 0, errors.New("blob: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("blob: negative position")
	}
	if abs != d.off {
		d.off, d.stream = abs, nil
	}
	return abs, nil
}

// ReadAt reads len(p) bytes at off without moving the offset of Read (the
// next Read resumes its stream from there).
func (d *decrypted) ReadAt(p []byte, off int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	if off >= d.size {
		return 0, io.EOF
	}
	want := p
	if rest := d.size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	d.stream = nil // src moves below
	s, err := d.streamAt(off)
	if err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s, want)
	if err != nil {
		return n, corrupt(err)
	}
	if off+int64(n) == d.size {
		if err := endOf(s); !errors.Is(err, io.EOF) {
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (d *decrypted) Close() error { return d.src.Close() }

// corrupt marks what sio reports about content that does not authenticate
// (altered, reordered or truncated packages) as ErrCorrupt; errors of the
// underlying store pass as they are.
func corrupt(err error) error {
	var se sio.Error
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%v: %w", err, ErrCorrupt)
	}
	return err
}
