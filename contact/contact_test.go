package contact_test

import (
	"errors"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/models"
)

// TestAddress pins which addresses a code can prove, as codes and offers
// compare them.
func TestAddress(t *testing.T) {
	tests := []struct {
		name, phone, email string
		channel            contact.Channel
		want, masked       string // want "" when refused
	}{
		{"a mobile number with hyphens", "010-1234-5678", "", contact.Phone, "01012345678", "010-****-5678"},
		{"a +82 number", "+82 10 1234 5678", "", contact.Phone, "01012345678", "010-****-5678"},
		{"a ten-digit 011 number", "011-123-4567", "", contact.Phone, "0111234567", "011-****-4567"},
		{"a landline", "02-123-4567", "", contact.Phone, "", ""},
		{"nine digits", "010-123-456", "", contact.Phone, "", ""},
		{"no phone", "", "", contact.Phone, "", ""},
		{"an e-mail in capitals", "", " Kim@Example.COM ", contact.Email, "kim@example.com", "k***@example.com"},
		{"no e-mail", "", "", contact.Email, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := contact.Address(&models.User{Phone: tt.phone, Email: tt.email}, tt.channel)
			if tt.want == "" {
				var ve *apperr.ValidationError
				if !errors.As(err, &ve) || ve.Fields["channel"].In("ko") == "" || ve.Fields["channel"].In("en") == "" {
					t.Fatalf("got %q, %v; want a bilingual error on channel", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if m := contact.Mask(tt.channel, got); m != tt.masked {
				t.Fatalf("masked %q, want %q", m, tt.masked)
			}
		})
	}
}

func TestParseChannel(t *testing.T) {
	for _, s := range []string{"phone", "email"} {
		if c, err := contact.ParseChannel(s); err != nil || c.String() != s {
			t.Errorf("%q: got %q, %v", s, c, err)
		}
	}
	for _, s := range []string{"", "Phone", "sms", "fax"} {
		if _, err := contact.ParseChannel(s); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("%q: got %v, want ErrInvalid", s, err)
		}
	}
}
