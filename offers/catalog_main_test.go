package offers

import (
	"os"
	"testing"

	"github.com/bosang/bosang/i18n"
)

// TestMain loads the message catalog, so the messages the tests read are
// the text a user sees.
func TestMain(m *testing.M) {
	if _, err := i18n.Load(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}
