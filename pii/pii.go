package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sealer encrypts and decrypts personal identifiers. It seals with the
// current key and opens anything sealed with a key it still holds.
type Sealer struct {
	current string
	keys    map[string]cipher.AEAD
	// fingerprintKey makes Fingerprint a keyed hash, so a leaked column of
	// fingerprints cannot be reversed by hashing every account number.
	fingerprintKey []byte
}

// NewSealer returns a Sealer that seals with key (32 bytes) and also opens
// data sealed with any of previous.
func NewSealer(key []byte, previous ...[]byte) (*Sealer, error) {
	s := &Sealer{keys: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{key}, previous...) {
		if len(k) != 32 {
			return nil, errors.New("encryption keys must be 32 bytes")
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := KeyID(k)
		s.keys[id] = aead
		if i == 0 {
			s.current = id
			s.fingerprintKey = DerivedFingerprintKey(k)
		}
	}
	return s, nil
}

// DerivedFingerprintKey is the fingerprint key a Sealer uses unless
// WithFingerprintKey pins another: derived from the encryption key, so it
// changes when that key is rotated. Pin it (BOSANG_FINGERPRINT_KEY) first.
func DerivedFingerprintKey(encryptionKey []byte) []byte {
	sum := sha256.Sum256(append([]byte("bosang-fingerprint:"), encryptionKey...))
	return sum[:]
}

// WithFingerprintKey returns a copy of s whose Fingerprint is keyed by key
// (32 bytes), kept across rotations of the encryption key.
func (s *Sealer) WithFingerprintKey(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("the fingerprint key must be 32 bytes")
	}
	c := *s
	c.fingerprintKey = slices.Clone(key)
	return &c, nil
}

// KeyID names a key without revealing it.
func KeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("bosang-pii:"), key...))
	return hex.EncodeToString(sum[:4])
}

// Seal encrypts plaintext; the result carries the key id and a random nonce.
// The context string (for example the claim id) is authenticated, so a
// ciphertext copied onto another record does not open there.
func (s *Sealer) Seal(plaintext, context string) (ciphertext, keyID string) {
	aead := s.keys[s.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return base64.StdEncoding.EncodeToString(sealed), s.current
}

// Open decrypts what Seal produced with the same context. An unknown key id or
// a tampered ciphertext is an error.
func (s *Sealer) Open(ciphertext, keyID, context string) (string, error) {
	aead, ok := s.keys[keyID]
	if !ok {
		return "", fmt.Errorf("no key %q to open personal data", keyID)
	}
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("malformed ciphertext")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return "", errors.New("ciphertext does not authenticate")
	}
	return string(plain), nil
}

// Fingerprint is a keyed hash of an identifier's digits: equal for equal
// numbers however they are written, useless without the key.
func (s *Sealer) Fingerprint(value string) string {
	m := hmac.New(sha256.New, s.fingerprintKey)
	m.Write([]byte(digitsOf(value)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// MaskAccount is the one masking standard for account numbers on every screen,
// export preview and log: the first three and last two digits stay, every
// other digit becomes '*', separators stay where they are
// ("110-123-456789" -> "110-***-****89").
func MaskAccount(number string) string {
	digits := 0
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range number {
		if r < '0' || r > '9' {
			b.WriteRune(r)
			continue
		}
		seen++
		if seen <= 3 || seen > digits-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// MaskName keeps the first and last character of a name and hides the rest
// ("김철용" -> "김*용", "김철" -> "김*").
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// NormalizeAccount keeps digits and dashes; ValidAccount accepts 8 to 16
// digits, which covers Korean bank account formats.
func NormalizeAccount(n string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(n) {
		if r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidAccount reports whether n has 8 to 16 digits and only digits, dashes
// and spaces.
func ValidAccount(n string) bool {
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r == '-' || r == ' ') {
			return false
		}
	}
	d := len(digitsOf(n))
	return d >= 8 && d <= 16
}

// ValidBusinessNumber checks a 사업자등록번호: ten digits (dashes allowed)
// whose last is the check digit computed with weights 1,3,7,1,3,7,1,3,5 plus
// floor(9th digit × 5 / 10).
func ValidBusinessNumber(n string) bool {
	d := digitsOf(n)
	if len(d) != 10 || strings.Trim(n, "0123456789-") != "" {
		return false
	}
	weights := []int{1, 3, 7, 1, 3, 7, 1, 3, 5}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	sum += int(d[8]-'0') * 5 / 10
	return (10-sum%10)%10 == int(d[9]-'0')
}

// FormatBusinessNumber writes ten digits as 123-45-67890.
func FormatBusinessNumber(n string) string {
	d := digitsOf(n)
	if len(d) != 10 {
		return n
	}
	return d[:3] + "-" + d[3:5] + "-" + d[5:]
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
