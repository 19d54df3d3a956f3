// Package audit keeps Bosang's tamper-evident audit trail: who did what to
// which record, touching whose personal data, from where and when.
//
// Writers never wait on one another. Append only inserts an unsealed entry
// (it may run inside the caller's transaction, so the record commits or rolls
// back with the change it describes). A single sealer (Seal, or SealPending as a
// periodic job of the server) then takes committed unsealed entries in insertion order and
// links them into one hash chain: entry n gets chain position n, the hash of
// entry n-1 as its prev_hash, and
//
//	hash = hex(HMAC-SHA256(entry key, prev_hash || Canonical(entry)))
//
// where prev_hash is 64 lowercase hex characters (Genesis for the first
// entry), Canonical is the fixed encoding documented on that function, and
// the entry key is derived from the audit key (Key, BOSANG_AUDIT_KEY), which
// lives in the server's configuration and never in the database. So whoever
// can write to the database, and could recompute a plain SHA-256, still
// cannot append, edit or rehash an entry that verifies. Each entry records
// its algorithm (hash_alg): entries sealed before the chain was keyed keep
// their plain SHA-256 (Hash) and verify as long as they form an unbroken run
// from the start of the chain; an unkeyed entry after a keyed one is a
// forgery. An entry committed late simply gets a later position.
//
// Verify walks the chain in position order and names the first entry that is
// edited (its hash no longer matches), unkeyed where the chain is keyed,
// missing (a gap in positions), moved or inserted (its prev_hash is not the
// hash before it), or the point where the chain ends short of, or disagrees
// with, a checkpoint (truncation or rewriting). Checkpoints are signed with
// a second key derived from the audit key, recorded in the database and
// exported on a schedule (CheckpointAndExport, every BOSANG_AUDIT_CHECKPOINT_INTERVAL)
// to a CheckpointLog off the database: an append-only file (FileLog) today,
// an object store with write-once retention behind the same interface later.
// Every verification compares the database's checkpoints with the exported
// ones and reports those wiped, rewritten or forged, so an attacker who
// truncates or rewrites the chain and its checkpoint table is still caught.
//
// Retention: staff access records are kept at least RetentionDays (two years,
// PIPA). Nothing in Bosang deletes audit entries; the database refuses it.
package audit
