package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/bosang/bosang/apperr"
)

// Argon2id parameters recommended by OWASP's password storage cheat sheet:
// 19 MiB of memory, two passes, one lane.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// MinPasswordLength and MaxPasswordLength bound an acceptable password; the
// upper bound keeps hashing cost independent of what a client sends.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// HashPassword returns the PHC-format argon2id hash of password
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$key").
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		argonMemoryKiB, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Argon2Params are the parameters read back from a stored hash.
type Argon2Params struct {
	Version, MemoryKiB, Time, Threads int
	Salt, Key                         []byte
}

// ParseHash reads a PHC-format argon2id hash; any other format is an error.
func ParseHash(encoded string) (Argon2Params, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, errors.New("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &p.Version); err != nil {
		return p, fmt.Errorf("argon2id version: %w", err)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, fmt.Errorf("argon2id parameters: %w", err)
	}
	var err error
	if p.Salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, fmt.Errorf("argon2id salt: %w", err)
	}
	if p.Key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil {
		return p, fmt.Errorf("argon2id key: %w", err)
	}
	if p.Threads < 1 || p.Threads > 255 || p.Time < 1 || p.MemoryKiB < 1 || len(p.Key) == 0 {
		return p, errors.New("argon2id parameters out of range")
	}
	return p, nil
}

// CheckPassword reports whether password matches the stored hash, in time
// that does not depend on where they differ.
func CheckPassword(encoded, password string) bool {
	p, err := ParseHash(encoded)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(password), p.Salt, uint32(p.Time), uint32(p.MemoryKiB), uint8(p.Threads), uint32(len(p.Key)))
	return subtle.ConstantTimeCompare(key, p.Key) == 1
}

// passwordProblem returns the reason a new password is refused, and
// whether it is.
func passwordProblem(password, email string) (apperr.Message, bool) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return apperr.M("auth.password_short", map[string]any{"min": MinPasswordLength}), true
	case n > MaxPasswordLength:
		return apperr.M("auth.password_long", map[string]any{"max": MaxPasswordLength}), true
	case commonPasswords[strings.ToLower(password)]:
		return apperr.M("auth.password_common"), true
	case email != "" && strings.EqualFold(password, email):
		return apperr.M("auth.password_is_email"), true
	}
	return apperr.Message{}, false
}
