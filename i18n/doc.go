// Package i18n is Bosang's message catalog: Korean first, English second.
// Every string a page shows goes through it; the catalogs live in
// web/locales and are embedded in the binary.
package i18n
