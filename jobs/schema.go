package jobs

import (
	"fmt"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// RiverVersion is the River release whose schema the committed goose
// migrations carry; go.mod pins the same version.
const RiverVersion = "v0.51.2"

// schemaTemplate is the placeholder River's migrations carry for a schema
// prefix; Bosang keeps River's tables in the default schema.
const schemaTemplate = "/* TEMPLATE: schema */"

// pgPendingEnum makes PostgreSQL's river_job_state carry 'pending' from its
// creation. River adds the value in its version 4 with ALTER TYPE ... ADD
// VALUE, which PostgreSQL forbids using before it is committed, and River's
// version 6 uses it; River runs each version in its own transaction, goose
// runs the whole migration in one. Version 4 adds the value IF NOT EXISTS,
// right AFTER 'discarded', so the end state is identical.
var pgPendingEnum = [2]string{"  'discarded',\n  'retryable',", "  'discarded',\n  'pending',\n  'retryable',"}

// RiverMigrationSQL returns the goose statements that apply River's own
// migrations from version from to version to (inclusive) for dialect
// ("postgres" or "sqlite"): each version in one StatementBegin/End block,
// then the rows River's migrator records in river_migration, so River's
// tooling (rivermigrate.Validate) sees the schema as its own. The text is
// generated from the linked River module; cmd/bosang-riversql writes it to a
// file and a test pins the committed migration against it.
func RiverMigrationSQL(dialect string, from, to int) (string, error) {
	var all []rivermigrate.Migration
	switch dialect {
	case "postgres":
		m, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
		if err != nil {
			return "", err
		}
		all = m.AllVersions()
	case "sqlite":
		m, err := rivermigrate.New(riversqlite.New(nil), nil)
		if err != nil {
			return "", err
		}
		all = m.AllVersions()
	default:
		return "", fmt.Errorf("unknown dialect %q", dialect)
	}
	var b strings.Builder
	var versions []string
	for _, v := range all {
		if v.Version < from || v.Version > to {
			continue
		}
		sql := strings.ReplaceAll(v.SQLUp, schemaTemplate, "")
		if dialect == "postgres" && v.Version == 2 {
			if strings.Count(sql, pgPendingEnum[0]) != 1 {
				return "", fmt.Errorf("river %s version 2 no longer declares river_job_state as expected; revisit pgPendingEnum", RiverVersion)
			}
			sql = strings.Replace(sql, pgPendingEnum[0], pgPendingEnum[1], 1)
		}
		fmt.Fprintf(&b, "-- River version %d (%s)\n-- +goose StatementBegin\n%s\n-- +goose StatementEnd\n\n", v.Version, v.Name, strings.TrimSpace(sql))
		versions = append(versions, fmt.Sprintf("('main', %d)", v.Version))
	}
	if len(versions) == 0 {
		return "", fmt.Errorf("river %s has no migration versions from %d to %d", RiverVersion, from, to)
	}
	fmt.Fprintf(&b, "INSERT INTO river_migration (line, version) VALUES %s;\n", strings.Join(versions, ", "))
	return b.String(), nil
}

// LatestRiverMigration is the newest version of River's schema in the
// linked River module.
func LatestRiverMigration() int {
	m, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if err != nil {
		return 0
	}
	all := m.AllVersions()
	return all[len(all)-1].Version
}
