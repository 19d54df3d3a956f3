package main

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/pii"
)

// keysCmd helps rotate keys (SECURITY.md). `bosang keys fingerprint`
// prints, in hex, the key fingerprints of payout accounts are hashed with
// today (the pinned BOSANG_FINGERPRINT_KEY, else the one derived from
// BOSANG_ENCRYPTION_KEY), to be set as BOSANG_FINGERPRINT_KEY before the
// encryption key is rotated. It is a secret: it goes to the secret store,
// never to a log or a ticket.
func keysCmd(args []string, getenv func(string) string, out io.Writer) error {
	if len(args) != 1 || args[0] != "fingerprint" {
		return usageError("usage: bosang keys fingerprint")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	key := cfg.FingerprintKey
	if key == nil {
		key = pii.DerivedFingerprintKey(cfg.EncryptionKey)
	}
	fmt.Fprintln(out, hex.EncodeToString(key))
	return nil
}
