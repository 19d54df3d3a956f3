package records

import (
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/i18n/i18ntest"
)

// TestMain loads the message catalog, so the messages the tests read are
// the text a user sees.
func TestMain(m *testing.M) { i18ntest.Main(m) }

// The missing-column message names a column through "records.column." and
// its API name; every column has its catalog entry, and in English it is
// the API name, as the message always said.
func TestEveryColumnHasACatalogName(t *testing.T) {
	names := append(append([]string(nil), accountFieldNames[:]...), roleNames[:]...)
	for _, n := range names {
		id := "records.column." + n
		if ko, en := apperr.M(id).In("ko"), apperr.M(id).In("en"); ko == id || en != n {
			t.Errorf("%s: ko %q, en %q; want a Korean name and the API name", id, ko, en)
		}
	}
	if ko := apperr.M("records.column.phone_or_email").In("ko"); ko != "전화번호 또는 이메일" {
		t.Errorf("phone_or_email: ko %q", ko)
	}
}
