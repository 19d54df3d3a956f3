// Package store implements the persistence interfaces that Bosang's domain
// packages declare, with gorm over PostgreSQL (production) or SQLite through a
// pure-Go driver (the embedded default). It translates driver errors into the
// apperr categories and never returns (nil, nil).
package store
