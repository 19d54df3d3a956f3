// Package auth knows who a request comes from: it hashes passwords with
// argon2id, issues short-lived JWT access tokens and opaque refresh tokens that
// rotate on every use, throttles guessing, and checks roles. It declares the
// Store it needs; package store implements it.
package auth
