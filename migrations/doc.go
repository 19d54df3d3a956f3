// Package migrations embeds Bosang's SQL migrations, one forward-only set per
// dialect, applied by goose. A migration is never edited after it lands; a
// test in store proves both sets yield the same tables and columns.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
