// Package i18ntest loads the message catalog for a package's tests, so the
// messages they read are the text a user sees (without the catalog, a
// message reads as its inline text or its id).
package i18ntest

import (
	"os"
	"testing"

	"github.com/bosang/bosang/i18n"
)

// Main loads the catalog, then runs the tests and exits with their status.
// A package's TestMain calls it.
func Main(m *testing.M) {
	if _, err := i18n.Load(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
