// Package web embeds Bosang's page templates, static assets and message
// catalogs. It holds files and nothing else.
package web

import "embed"

// Templates holds templates/*.html: layout.html and one file per page.
//
//go:embed templates/*.html
var Templates embed.FS

// Static holds static/, served under /static/.
//
//go:embed static
var Static embed.FS

// Locales holds locales/<lang>.json, one message catalog per language.
//
//go:embed locales/*.json
var Locales embed.FS
