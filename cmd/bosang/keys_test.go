package main

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/auth"
	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
)

// TestKeyRotation follows SECURITY.md: pin the fingerprint key printed by
// `bosang keys fingerprint`, then move the old keys to the previous lists.
// What the old keys sealed and signed still opens and verifies; new data
// uses the new keys; fingerprints do not change.
func TestKeyRotation(t *testing.T) {
	oldKey, newKey := strings.Repeat("a1", 32), strings.Repeat("b2", 32)
	dir := t.TempDir()
	before := map[string]string{"BOSANG_DATA_DIR": dir, "BOSANG_ENCRYPTION_KEY": oldKey, "BOSANG_JWT_KEY": oldKey}
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	oldCfg, err := config.Load(getenv(before))
	if err != nil {
		t.Fatal(err)
	}
	oldSealer, err := newSealer(oldCfg)
	if err != nil {
		t.Fatal(err)
	}
	sealed, keyID := oldSealer.Seal("110123456789", "claim-1")
	fingerprint := oldSealer.Fingerprint("110-123-456789")
	token, err := auth.NewSigner(oldCfg.JWTKey, time.Minute, time.Now).Issue(&models.User{ID: "u1", Role: models.RoleClaimant})
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run(t.Context(), []string{"keys", "fingerprint"}, getenv(before), &out); err != nil {
		t.Fatal(err)
	}
	pinned := strings.TrimSpace(out.String())
	if want := hex.EncodeToString(pii.DerivedFingerprintKey(oldCfg.EncryptionKey)); pinned != want {
		t.Fatalf("keys fingerprint printed %q, want the key derived from the encryption key", pinned)
	}

	after := map[string]string{"BOSANG_DATA_DIR": dir, "BOSANG_ENCRYPTION_KEY": newKey, "BOSANG_JWT_KEY": newKey,
		"BOSANG_ENCRYPTION_PREVIOUS_KEYS": oldKey, "BOSANG_JWT_PREVIOUS_KEYS": oldKey, "BOSANG_FINGERPRINT_KEY": pinned}
	newCfg, err := config.Load(getenv(after))
	if err != nil {
		t.Fatal(err)
	}
	newSealerV, err := newSealer(newCfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := newSealerV.Open(sealed, keyID, "claim-1"); err != nil || got != "110123456789" {
		t.Errorf("opening what the old key sealed: got %q, %v; want the account number", got, err)
	}
	if _, id := newSealerV.Seal("110123456789", "claim-2"); id == keyID {
		t.Errorf("new data sealed with the old key %s, want the new one", id)
	}
	if got := newSealerV.Fingerprint("110123456789"); got != fingerprint {
		t.Errorf("fingerprint after rotation %s, want the one before (%s): shared accounts would go unseen", got, fingerprint)
	}
	if _, err := auth.NewSigner(newCfg.JWTKey, time.Minute, time.Now, newCfg.JWTPreviousKeys...).Verify(token); err != nil {
		t.Errorf("a token signed with the old JWT key: %v, want it accepted until it expires", err)
	}
	if _, err := auth.NewSigner(newCfg.JWTKey, time.Minute, time.Now).Verify(token); err == nil {
		t.Error("without the previous key, the old token verified; the test would prove nothing")
	}
}
