// Package claims is where affected people meet Bosang: claimant profiles,
// compensation policies, filing a claim with an idempotency key, its estimate
// with every step, evidence, the status timeline and withdrawal. Every status
// change writes an outbox event in the same transaction.
package claims
