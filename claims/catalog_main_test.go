package claims

import (
	"testing"

	"github.com/bosang/bosang/i18n/i18ntest"
)

// TestMain loads the message catalog, so the messages the tests read are
// the text a user sees.
func TestMain(m *testing.M) { i18ntest.Main(m) }
