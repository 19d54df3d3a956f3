// Package audit keeps Bosang's tamper-evident audit trail: who did what to
// which record, touching whose personal data, from where and when.
//
// Writers never wait on one another. Append only inserts an unsealed entry
// (it may run inside the caller's transaction, so the record commits or rolls
// back with the change it describes). A single sealer (Seal, or Sealer.Run in
// the server) then takes committed unsealed entries in insertion order and
// links them into one hash chain: entry n gets chain position n, the hash of
// entry n-1 as its prev_hash, and
//
//	hash = hex(sha256(prev_hash || Canonical(entry)))
//
// where prev_hash is 64 lowercase hex characters (Genesis for the first
// entry) and Canonical is the fixed encoding documented on that function. An
// entry committed late simply gets a later position.
//
// Verify walks the chain in position order and names the first entry that is
// edited (its hash no longer matches), missing (a gap in positions), moved or
// inserted (its prev_hash is not the hash before it), or the point where the
// chain ends short of, or disagrees with, a recorded checkpoint (truncation
// or rewriting). Checkpoints are exported as JSON lines to be kept off the
// database; verifying against such a file catches an attacker who rewrote
// the whole chain and the checkpoint table with it.
//
// Retention: staff access records are kept at least RetentionDays (two years,
// PIPA). Nothing in Bosang deletes audit entries; the database refuses it.
package audit
