package models

import (
	"encoding/json"
	"testing"
)

func TestParseClaimCategory(t *testing.T) {
	for _, c := range ClaimCategories() {
		t.Run("known "+c.String(), func(t *testing.T) {
			got, err := ParseClaimCategory(c.String())
			if err != nil || got != c {
				t.Errorf("got %q, %v, want %q", got, err, c)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"empty is not a category", ""},
		{"case matters", "Merchant"},
		{"unknown name", "taxi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := ParseClaimCategory(tc.in); err == nil {
				t.Errorf("got %q, nil, want an error", got)
			}
		})
	}
}

func TestClaimCategoryScanValue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     any
		want    ClaimCategory
		wantErr bool
	}{
		{"text column as string", "driver", CategoryDriver, false},
		{"text column as bytes", []byte("partner_business"), CategoryPartnerBusiness, false},
		{"unknown name is refused", "taxi", "", true},
		{"NULL is refused", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got ClaimCategory
			err := got.Scan(tc.src)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v, want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
	for _, c := range ClaimCategories() {
		v, err := c.Value()
		if err != nil || v != c.String() {
			t.Errorf("Value of %q: got %v, %v, want the name", c, v, err)
		}
	}
}

func TestClaimCategoryJSON(t *testing.T) {
	t.Run("map keys marshal as names", func(t *testing.T) {
		b, err := json.Marshal(map[ClaimCategory]int{CategoryMerchant: 1})
		if err != nil || string(b) != `{"merchant":1}` {
			t.Errorf("got %s, %v", b, err)
		}
	})
	t.Run("unknown map key is refused", func(t *testing.T) {
		var m map[ClaimCategory]int
		if err := json.Unmarshal([]byte(`{"taxi":1}`), &m); err == nil {
			t.Errorf("got %v, nil, want an error", m)
		}
	})
}
