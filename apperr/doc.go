// Package apperr defines the error categories every Bosang domain package
// returns. Each category implies one HTTP status; the handlers package maps
// them in one place. Wrap a category with context:
//
//	fmt.Errorf("find claim %s: %w", id, apperr.ErrNotFound)
//
// # Messages
//
// What an error tells the user is a Message naming an entry of the catalog
// (web/locales/<lang>.json, one file per language), never text in code:
//
//	f.AddMsg("email", apperr.M("auth.email_invalid"))
//	apperr.InvalidMsg("f", apperr.M("input.too_long", map[string]any{"max": 100}))
//
// Ids are namespaced by package ("records.column_missing"); data fills the
// message's {{.placeholders}}. Package i18n registers the catalog with
// SetCatalog when it loads, and Message.In and Message.MarshalJSON resolve
// through it, so a new language is a new locale file. A test in package i18n
// scans the source for apperr.M ids and fails when a locale lacks one.
//
// A Message with KO and EN and no ID carries text already resolved in
// both languages: a policy's description or a stored notice, written from
// catalog entries when it was made and kept as it was said.
package apperr
