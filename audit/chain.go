package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/bosang/bosang/models"
)

// RetentionDays is how long audit entries, staff access records among them,
// are kept at the least (two years, DOMAIN.md section 6). Bosang has no path
// that deletes audit entries, and the schema refuses DELETE; a future purge
// must keep everything younger than this and re-anchor the chain with a
// checkpoint.
const RetentionDays = 730

// Genesis is the prev_hash of the first entry of the chain.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// canonicalVersion names the encoding below; a change to it needs a new
// version so that old entries still verify.
const canonicalVersion = 1

// canonicalEntry fixes the field order and names of the hashed encoding.
type canonicalEntry struct {
	V         int     `json:"v"`
	ID        string  `json:"id"`
	At        string  `json:"at"`
	ActorID   *string `json:"actor_id"`
	ActorRole string  `json:"actor_role"`
	IP        string  `json:"ip"`
	Action    string  `json:"action"`
	Entity    string  `json:"entity"`
	EntityID  string  `json:"entity_id"`
	SubjectID *string `json:"subject_id"`
	Details   string  `json:"details"`
}

// Canonical returns the bytes of e that the chain hashes: a compact JSON
// object with exactly these members in this order,
//
//	{"v":1,"id":…,"at":…,"actor_id":…,"actor_role":…,"ip":…,"action":…,
//	 "entity":…,"entity_id":…,"subject_id":…,"details":…}
//
// where at is RFC 3339 with nanoseconds in UTC (time.RFC3339Nano, trailing
// zeros dropped), actor_id and subject_id are null when absent, details is the
// stored JSON text as a string, and strings are escaped as encoding/json does
// without HTML escaping. Seq and the chain fields (chain_pos, prev_hash, hash)
// are not part of it: seq is an insertion artefact and the chain fields are
// covered by chaining.
func Canonical(e *models.AuditEntry) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Encoding a struct of strings and pointers to strings cannot fail.
	_ = enc.Encode(canonicalEntry{
		V: canonicalVersion, ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano),
		ActorID: e.ActorID, ActorRole: e.ActorRole, IP: e.IP, Action: e.Action,
		Entity: e.Entity, EntityID: e.EntityID, SubjectID: e.SubjectID, Details: e.Details,
	})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Hash returns the chain hash of e following prevHash: lowercase hex of
// sha256(prevHash || Canonical(e)).
func Hash(prevHash string, e *models.AuditEntry) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(Canonical(e))
	return hex.EncodeToString(h.Sum(nil))
}
