// Package auth knows who a request comes from: it hashes passwords with
// argon2id, issues short-lived JWT access tokens and opaque refresh tokens that
// rotate on every use, throttles guessing, and checks roles. Staff give a
// second factor (TOTP, RFC 6238, with one-time recovery codes) before any
// token is issued to them; their TOTP secrets are sealed at rest. It
// declares the Store it needs; package store implements it.
package auth
