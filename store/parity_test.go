package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestDialectParity proves the two migration sets yield the same tables and
// the same columns in each, so code written against one works on the other.
func TestDialectParity(t *testing.T) {
	pg := columns(t, dbtest.NewPostgres(t))
	lite := columns(t, dbtest.NewSQLite(t))
	if len(pg) == 0 {
		t.Fatal("postgres schema has no tables")
	}
	for table, cols := range pg {
		if got := lite[table]; !slices.Equal(got, cols) {
			t.Errorf("table %s: sqlite columns %v, postgres columns %v", table, got, cols)
		}
	}
	for table := range lite {
		if _, ok := pg[table]; !ok {
			t.Errorf("table %s exists only in sqlite", table)
		}
	}
}

func columns(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`
	if db.Dialect() == store.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	rows, err := sqlDB.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(table, "goose_") {
			continue
		}
		out[table] = append(out[table], col)
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}
