package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bosang/bosang/stats"
	"github.com/bosang/bosang/store/dbtest"
)

// TestClaimsOpenIndexesListOpenStatuses: the partial indexes of migration
// 00028 cover exactly the open statuses, so a query over open claims (the
// queue, the leases, the backlog) can use them and a decided claim adds no
// entry to them.
func TestClaimsOpenIndexesListOpenStatuses(t *testing.T) {
	db := dbtest.NewPostgres(t)
	var defs []string
	if err := sqlStrings(context.Background(), db,
		`SELECT indexdef FROM pg_indexes WHERE tablename = 'claims' AND indexname IN ('claims_open_created_idx', 'claims_open_id_idx')`, &defs); err != nil {
		t.Fatal(err)
	}
	if len(defs) != 2 {
		t.Fatalf("got %d open-claim indexes, want 2", len(defs))
	}
	want := slices.Clone(stats.OpenStatuses)
	slices.Sort(want)
	for _, d := range defs {
		_, list, ok := strings.Cut(d, "ARRAY[")
		if !ok {
			t.Fatalf("%s: no status list", d)
		}
		list, _, _ = strings.Cut(list, "]")
		var got []string
		for _, s := range strings.Split(list, ",") {
			s = strings.TrimSpace(s)
			s = strings.TrimSuffix(strings.TrimPrefix(s, "'"), "'::text")
			got = append(got, s)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got statuses %v, want %v", d, got, want)
		}
	}
}
