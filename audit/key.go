package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/bosang/bosang/models"
)

// The hash algorithms an entry's hash_alg names.
const (
	// AlgSHA256 (stored as the empty string) is the unkeyed hash of entries
	// sealed before the chain was keyed: Hash. Such entries verify only as
	// an unbroken run from the start of the chain; one after a keyed entry
	// was forged by someone without the key.
	AlgSHA256 = ""
	// AlgHMACSHA256 is the keyed hash every entry is sealed with now:
	// Key.Entry.
	AlgHMACSHA256 = "hmac-sha256"
)

// MinKeyBytes is the shortest audit key NewKey accepts.
const MinKeyBytes = 32

// Key keys the audit chain. It derives two HMAC-SHA256 keys from the
// secret, one for entries and one for checkpoints, so that neither can
// stand in for the other. The secret lives in the server's configuration
// (BOSANG_AUDIT_KEY), never in the database: whoever can write to the
// database can still not forge an entry or a checkpoint that verifies.
type Key struct {
	entry, checkpoint []byte
}

// NewKey derives the chain's keys from secret; a secret shorter than
// MinKeyBytes is an error.
func NewKey(secret []byte) (Key, error) {
	if len(secret) < MinKeyBytes {
		return Key{}, fmt.Errorf("audit key: %d bytes, want at least %d", len(secret), MinKeyBytes)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	return Key{entry: derive("bosang audit entry v1"), checkpoint: derive("bosang audit checkpoint v1")}, nil
}

// Entry returns the keyed chain hash of e following prevHash: lowercase hex
// of HMAC-SHA256(entry key, prevHash || Canonical(e)).
func (k Key) Entry(prevHash string, e *models.AuditEntry) string {
	m := hmac.New(sha256.New, k.entry)
	m.Write([]byte(prevHash))
	m.Write(Canonical(e))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns the signature of a checkpoint: lowercase hex of
// HMAC-SHA256(checkpoint key, "chain_pos\nhash\nat"), at in RFC 3339 with
// nanoseconds in UTC.
func (k Key) Sign(cp models.AuditCheckpoint) string {
	m := hmac.New(sha256.New, k.checkpoint)
	m.Write([]byte(strconv.FormatInt(cp.ChainPos, 10) + "\n" + cp.Hash + "\n" + cp.At.UTC().Format(time.RFC3339Nano)))
	return hex.EncodeToString(m.Sum(nil))
}

// Signed reports whether cp carries a valid signature under k.
func (k Key) Signed(cp models.AuditCheckpoint) bool {
	return cp.Sig != "" && hmac.Equal([]byte(cp.Sig), []byte(k.Sign(cp)))
}

// hashOf recomputes e's hash with the algorithm it names; ok is false for
// an algorithm Bosang never wrote.
func (k Key) hashOf(e *models.AuditEntry) (h string, ok bool) {
	switch e.HashAlg {
	case AlgSHA256:
		return Hash(e.PrevHash, e), true
	case AlgHMACSHA256:
		return k.Entry(e.PrevHash, e), true
	}
	return "", false
}
