package models

import "time"

// AuditEntry is one record of the audit trail: who (ActorID, nil for the
// system, with ActorRole and IP) did what (Action, e.g. "claim.decide") to
// which record (Entity, EntityID), touching whose personal data (SubjectID),
// and when (At, UTC). Details is a JSON document.
//
// Seq is assigned by the database at insert and only orders unsealed entries
// for the sealer. ChainPos, PrevHash and Hash are set once, by the sealer,
// when the entry joins the hash chain; until then ChainPos is nil and the
// hashes are empty. HashAlg names how Hash was computed: "" for the plain
// SHA-256 of entries sealed before the chain was keyed, "hmac-sha256" for
// the keyed hash (see package audit). Rows are never deleted (see
// audit.RetentionDays).
type AuditEntry struct {
	Seq       int64     `gorm:"column:seq;primaryKey;autoIncrement" json:"seq"`
	ID        string    `gorm:"column:id" json:"id"`
	At        time.Time `gorm:"column:at" json:"at"`
	ActorID   *string   `gorm:"column:actor_id" json:"actor_id"`
	ActorRole string    `gorm:"column:actor_role" json:"actor_role"`
	IP        string    `gorm:"column:ip" json:"ip"`
	Action    string    `gorm:"column:action" json:"action"`
	Entity    string    `gorm:"column:entity" json:"entity"`
	EntityID  string    `gorm:"column:entity_id" json:"entity_id"`
	SubjectID *string   `gorm:"column:subject_id" json:"subject_id"`
	Details   string    `gorm:"column:details" json:"details"`
	ChainPos  *int64    `gorm:"column:chain_pos" json:"chain_pos"`
	PrevHash  string    `gorm:"column:prev_hash" json:"prev_hash"`
	Hash      string    `gorm:"column:hash" json:"hash"`
	HashAlg   string    `gorm:"column:hash_alg" json:"hash_alg"`
}

// TableName keeps the table name explicit.
func (AuditEntry) TableName() string { return "audit_entries" }

// AuditCheckpoint records the head of the audit chain at a moment: the
// position and hash of its last entry. Exported off the database, it lets a
// later verification detect a truncated or rewritten chain. Sig is its
// keyed signature (empty on checkpoints recorded before the chain was
// keyed), which the database cannot forge.
type AuditCheckpoint struct {
	ChainPos int64     `gorm:"column:chain_pos;primaryKey;autoIncrement:false" json:"chain_pos"`
	Hash     string    `gorm:"column:hash" json:"hash"`
	At       time.Time `gorm:"column:at" json:"at"`
	Sig      string    `gorm:"column:sig" json:"sig,omitempty"`
}

// TableName keeps the table name explicit.
func (AuditCheckpoint) TableName() string { return "audit_checkpoints" }
