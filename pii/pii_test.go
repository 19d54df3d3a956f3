package pii_test

import (
	"strings"
	"testing"

	"github.com/bosang/bosang/pii"
)

func TestBusinessNumber(t *testing.T) {
	cases := map[string]bool{
		"120-81-47521": true, "1208147521": true, "120-81-47522": false, "120-81-4752": false,
		"120-81-475210": false, "12a-81-47521": false, "": false, "000-00-00000": true,
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			if got := pii.ValidBusinessNumber(in); got != want {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

func TestMasking(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"account with dashes", pii.MaskAccount("110-123-456789"), "110-***-****89"},
		{"account digits only", pii.MaskAccount("12345678901234"), "123*********34"},
		{"three-character name", pii.MaskName("김철용"), "김*용"},
		{"two-character name", pii.MaskName("김철"), "김*"},
		{"long name", pii.MaskName("남궁민수아"), "남***아"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	old := []byte(strings.Repeat("o", 32))
	cur := []byte(strings.Repeat("c", 32))
	oldSealer, _ := pii.NewSealer(old)
	s, err := pii.NewSealer(cur, old)
	if err != nil {
		t.Fatal(err)
	}
	ct, kid := s.Seal("110-123-456789", "claim-1")
	if strings.Contains(ct, "456789") || kid != pii.KeyID(cur) {
		t.Fatalf("ciphertext %q kid %q: want no plaintext and the current key id", ct, kid)
	}
	if got, err := s.Open(ct, kid, "claim-1"); err != nil || got != "110-123-456789" {
		t.Fatalf("open: got %q, %v", got, err)
	}
	if _, err := s.Open(ct, kid, "claim-2"); err == nil {
		t.Fatal("ciphertext moved to another record opened")
	}
	// Data sealed under the previous key still opens after rotation.
	oct, okid := oldSealer.Seal("999-99-999999", "claim-3")
	if got, err := s.Open(oct, okid, "claim-3"); err != nil || got != "999-99-999999" {
		t.Fatalf("open with rotated key: got %q, %v", got, err)
	}
	ct2, _ := s.Seal("110-123-456789", "claim-1")
	if ct2 == ct {
		t.Fatal("two seals of the same value are equal: nonce reused")
	}
}

func TestFingerprint(t *testing.T) {
	s, _ := pii.NewSealer([]byte(strings.Repeat("k", 32)))
	other, _ := pii.NewSealer([]byte(strings.Repeat("x", 32)))
	if s.Fingerprint("110-123-456789") != s.Fingerprint("110123456789") {
		t.Fatal("the same number written two ways has two fingerprints")
	}
	if s.Fingerprint("110-123-456789") == s.Fingerprint("110-123-456788") {
		t.Fatal("different numbers share a fingerprint")
	}
	if s.Fingerprint("110-123-456789") == other.Fingerprint("110-123-456789") {
		t.Fatal("the fingerprint does not depend on the key")
	}
}
