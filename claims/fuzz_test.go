package claims

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/pii"
)

// FuzzClaimBody decodes a claim body as the JSON binder does (one value,
// json.Unmarshal) and runs the checks that need no lookups. They never
// panic, refuse only with a *apperr.ValidationError in Korean and English
// (a 422), and accept nothing the database would refuse or store
// differently: the description and holder are clean text (package input).
func FuzzClaimBody(f *testing.F) {
	good := `{"outage_id":"01a24990-b8c1-7a8f-a534-bfa0b8e1f75b","category":"driver","monetary":true,"description":"호출을 받지 못했습니다.\r\n이틀 동안",` +
		`"claimed_amount_krw":120000,"details":{"monthly_fee_krw":39000},"payout_account":{"bank":"004","number":"110-123-456789","holder":"앨리스"}}`
	for _, s := range []string{
		good,
		`{"category":"paid_subscriber","monetary":false,"description":"x"}`,
		// Issue 11's reproductions: NUL bytes in the description and holder.
		`{"category":"driver","monetary":true,"description":"호출\u0000불가","payout_account":{"bank":"004","number":"110123456789","holder":"앨\u0000리스"}}`,
		`{"category":"merchant","monetary":true,"description":"\u001b[2J","payout_account":{"bank":"004","number":"110123456789","holder":"a\tb"}}`,
		`{"category":"x","claimed_amount_krw":-1,"monetary":false}`,
	} {
		f.Add([]byte(s))
	}
	var in NewClaim
	if err := json.Unmarshal([]byte(good), &in); err != nil {
		f.Fatal(err)
	}
	if _, err := validate(in); err != nil {
		f.Fatalf("the good seed: got %v, want it accepted", err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in NewClaim
		if json.Unmarshal(body, &in) != nil {
			return
		}
		cat, err := validate(in)
		if err != nil {
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *apperr.ValidationError", err)
			}
			for field, m := range ve.Fields {
				if m.In("ko") == "" || m.In("en") == "" {
					t.Fatalf("field %s: got %+v, want Korean and English", field, m)
				}
			}
			return
		}
		if !cat.Valid() || !input.Clean(in.Description, true) || strings.TrimSpace(in.Description) == "" {
			t.Fatalf("accepted category %q, description %q", cat, in.Description)
		}
		if in.Monetary && (!input.Clean(in.PayoutAccount.Holder, false) || !pii.ValidAccount(in.PayoutAccount.Number)) {
			t.Fatalf("accepted account %+v", in.PayoutAccount)
		}
	})
}
