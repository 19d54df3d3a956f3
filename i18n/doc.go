// Package i18n is Bosang's message catalog: Korean first, then every other
// language with a file. Every string a page shows goes through it; the
// catalogs live in web/locales (one <lang>.json per language, go-i18n
// format) and are embedded in the binary.
//
// The languages are the locale files present: adding web/locales/ja.json
// adds Japanese to Languages and to Negotiate, and Load refuses a catalog
// in which a message is missing from any language.
//
// Load also registers the catalog with apperr.SetCatalog, so the messages
// domain packages return (apperr.M("records.column_missing", data)) are
// shown in the request's language by apperr.Message.In. A test scans the
// Go source for the ids passed to apperr.M and fails when a locale lacks
// one.
package i18n
