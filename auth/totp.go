package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor of staff (API.md "Roles"): TOTP as RFC 6238 with the
// authenticator apps' defaults, SHA-1, 6 digits, 30-second steps.
const (
	totpPeriod = 30
	// totpSkew is how many steps before or after now a code is accepted, for
	// phones whose clocks drift.
	totpSkew = 1
	// RecoveryCodeCount is how many one-time recovery codes enrolment gives.
	RecoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is what a staff member adds to an authenticator app: the base32
// Secret and the otpauth URI (the same, as a link or QR code).
type Enrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
}

// newEnrolment makes a fresh 160-bit TOTP secret for account.
func newEnrolment(account string) (Enrolment, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: "Bosang", AccountName: account, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: k.Secret(), URI: k.URL()}, nil
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchTOTP returns the time step of the code that code matches for secret
// at now, within totpSkew steps, and whether it matches one after lastStep
// (a code is good once: a step at or before lastStep is a replay).
func matchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	for d := -totpSkew; d <= totpSkew; d++ {
		at := now.Add(time.Duration(d*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err != nil {
			return 0, false
		}
		step := totpStep(at)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep {
			return step, true
		}
	}
	return 0, false
}

// newRecoveryCodes makes RecoveryCodeCount one-time codes of 80 random bits,
// shown once as "xxxx-xxxx-xxxx-xxxx", and their hashes to keep.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		codes = append(codes, s[0:4]+"-"+s[4:8]+"-"+s[8:12]+"-"+s[12:16])
		hashes = append(hashes, hashRecoveryCode(s))
	}
	return codes, hashes, nil
}

// hashRecoveryCode hashes a recovery code as typed, ignoring case, spaces
// and dashes. The codes carry 80 random bits, so a fast hash suffices.
func hashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, code)
	sum := sha256.Sum256([]byte("bosang-recovery:" + norm))
	return hex.EncodeToString(sum[:])
}

// looksLikeTOTP tells a 6-digit code from a recovery code.
func looksLikeTOTP(code string) bool {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
