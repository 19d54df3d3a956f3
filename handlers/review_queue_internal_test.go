package handlers

import (
	"slices"
	"testing"

	"github.com/bosang/bosang/models"
)

// TestQueueFilterStatuses pins the queue filter to models' open group (only
// the order is the page's) and the search form to every status.
func TestQueueFilterStatuses(t *testing.T) {
	sorted := func(s []string) []string { return slices.Sorted(slices.Values(s)) }
	t.Run("queue filter lists exactly the open group", func(t *testing.T) {
		if got, want := sorted(openStatuses), sorted(models.Names(models.OpenStatuses())); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("search form lists every status once", func(t *testing.T) {
		if got, want := sorted(allStatuses), sorted(models.Names(models.ClaimStatuses())); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
