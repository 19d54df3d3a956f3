// Package payout pays approved claims: it gathers approved, unpaid claims
// into batches, writes a batch as a bank transfer file (CSV or XLSX, the only
// place account numbers are decrypted), and settles the transfers the bank
// reports as paid or failed.
//
// Paying twice is prevented at three levels: a claim is in at most one batch
// item that has not failed (a partial unique index, with the build retrying
// when it loses a race), a transfer file lists only items still pending, and
// settling an item moves it out of pending exactly once, with the claim's own
// move to paid guarded by its version.
package payout
