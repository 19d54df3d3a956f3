package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/minio/sio"
)

// Store keeps blobs by key: Disk, S3, and Encrypted over either are one.
// Open of a missing key is apperr.ErrNotFound; Delete of one is no error.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
}

// KeySealer seals the per-file data keys with the portal's key, as
// *pii.Sealer does: Seal uses the current key and names it, Open accepts
// anything sealed with a key still held, so rotating the portal's key keeps
// older files readable for as long as the old key is kept as a previous key.
type KeySealer interface {
	Seal(plaintext, context string) (ciphertext, keyID string)
	Open(ciphertext, keyID, context string) (string, error)
}

// ErrCorrupt is returned when an encrypted blob does not authenticate: its
// header or content was altered or truncated (to nothing but its header,
// too: the portal keeps no empty files), it was copied under another key,
// or its data key was sealed with a key the portal no longer holds.
var ErrCorrupt = errors.New("encrypted blob does not authenticate")

// Encrypted encrypts every blob before it reaches the Store it wraps and
// decrypts it as it is read. A blob is stored as
//
//	magic (8 bytes) | record length (2 bytes, big-endian) | record | DARE 2.0 stream
//
// where the record is "keyID:sealed data key" as the KeySealer wrote it,
// sealed for this blob's key. A blob without the magic was stored before
// encryption and is returned as it is: every accepted evidence type starts
// with its own signature, none with a zero byte.
type Encrypted struct {
	store  Store
	sealer KeySealer
}

// NewEncrypted returns store with every blob encrypted under a fresh data key
// sealed by sealer.
func NewEncrypted(store Store, sealer KeySealer) *Encrypted {
	return &Encrypted{store: store, sealer: sealer}
}

const (
	magic = "\x00BOSANG\x01"
	// maxRecord bounds the record a reader accepts; a real one is ~70 bytes.
	maxRecord  = 1024
	dataKeyLen = 32
)

// sealContext binds a data key to the blob's key: a header copied in front
// of another blob does not open there.
func sealContext(key string) string { return "bosang-blob:" + key }

// dareConfig is the DARE 2.0 configuration for a data key; the cipher suite
// (AES-256-GCM or ChaCha20-Poly1305) is sio's choice for the CPU and is
// recorded in each package.
func dareConfig(dataKey []byte) sio.Config {
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20, Key: dataKey}
}

// Put encrypts r as it streams into the wrapped store under key and returns
// the plaintext bytes read from r.
func (e *Encrypted) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	dataKey := make([]byte, dataKeyLen)
	rand.Read(dataKey)
	sealed, keyID := e.sealer.Seal(string(dataKey), sealContext(key))
	record := keyID + ":" + sealed
	header := make([]byte, 0, len(magic)+2+len(record))
	header = append(header, magic...)
	header = binary.BigEndian.AppendUint16(header, uint16(len(record)))
	header = append(header, record...)
	counted := &countingReader{r: r}
	enc, err := sio.EncryptReader(counted, dareConfig(dataKey))
	if err != nil {
		return 0, err
	}
	_, err = e.store.Put(ctx, key, io.MultiReader(bytes.NewReader(header), enc))
	return counted.n, err
}

// Open returns the blob under key, decrypting as it is read; Seek and
// ReadAt start decrypting at the 64 KiB package that holds the offset. A
// missing blob is apperr.ErrNotFound; one whose header does not open is
// ErrCorrupt, and so is a read of content that does not authenticate.
func (e *Encrypted) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	f, err := e.store.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	r, err := e.open(f, key)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func (e *Encrypted) open(f io.ReadSeekCloser, key string) (io.ReadSeekCloser, error) {
	// The size first, so that the header and the stream after it are read
	// in one go (for S3, one request) when the file is read from the start.
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var m [len(magic) + 2]byte
	n, err := io.ReadFull(f, m[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n < len(magic) || string(m[:len(magic)]) != magic {
		// Stored before encryption: served as it is.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		return f, nil
	}
	size := int(binary.BigEndian.Uint16(m[len(magic):]))
	if n < len(m) || size == 0 || size > maxRecord {
		return nil, fmt.Errorf("blob %s: malformed header: %w", key, ErrCorrupt)
	}
	record := make([]byte, size)
	if _, err := io.ReadFull(f, record); err != nil {
		return nil, fmt.Errorf("blob %s: short header: %w", key, ErrCorrupt)
	}
	keyID, sealed, _ := strings.Cut(string(record), ":")
	dataKey, err := e.sealer.Open(sealed, keyID, sealContext(key))
	if err != nil || len(dataKey) != dataKeyLen {
		return nil, fmt.Errorf("blob %s: data key: %v: %w", key, err, ErrCorrupt)
	}
	start := int64(len(m) + size)
	plain, err := sio.DecryptedSize(uint64(end - start))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %v: %w", key, err, ErrCorrupt)
	}
	if plain == 0 {
		// A header alone cannot tell an empty file from one cut short;
		// the portal keeps no empty files.
		return nil, fmt.Errorf("blob %s: no content: %w", key, ErrCorrupt)
	}
	return &decrypted{src: f, config: dareConfig([]byte(dataKey)), start: start, size: int64(plain), pos: start}, nil
}

// Delete removes the blob under key; a missing one is not an error.
func (e *Encrypted) Delete(ctx context.Context, key string) error {
	return e.store.Delete(ctx, key)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
