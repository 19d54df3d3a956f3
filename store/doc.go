// Package store implements the persistence interfaces that Bosang's domain
// packages declare, with gorm over PostgreSQL (production) or SQLite through a
// pure-Go driver (the embedded default). It translates driver errors into the
// apperr categories and never returns (nil, nil).
//
// Transactions belong to the use case: the domain builds the change and its
// audit entry and runs them in one InTx; the store only persists. A store
// write of several rows therefore runs only inside InTx and answers ErrNoTx
// outside it. Four writes keep a transaction of their own, by design:
//   - ClaimStore.CreateClaim, the filing hot path, is one statement on
//     PostgreSQL (atomic without a transaction); on SQLite it opens one
//     when the caller has none;
//   - ReviewStore.DecideMany commits automatic approvals page by page, each
//     page in its own transaction, and refuses to run inside InTx;
//   - AuditStore.SealTx is the sealer's transaction, holding its lock;
//   - the outbox plumbing (Enqueue, EnqueueNew, OfferStore.EnqueueMessages,
//     RedriveOutbox, QueueOutboxJobs, DispatchOutbox) writes a message and
//     its job together, in the caller's transaction when there is one.
package store
