package claims

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// KeyTTL is how long an Idempotency-Key is remembered (at least 24 hours per
// API.md); StaleInFlight is after how long an unfinished request, cut short
// by a crash, may be taken over by a retry. It exceeds the server's request
// deadline (15 s), and a request whose key was taken over cannot finish it.
const (
	KeyTTL        = 48 * time.Hour
	StaleInFlight = 20 * time.Second
)

// Answer is a request's response as its transport rendered it: stored
// under the request's idempotency key and sent again, byte for byte, on a
// replay. This package never reads it; statuses and encodings stay the
// transport's.
type Answer struct {
	Status int
	Body   []byte
}

// Replay is a stored first answer to send again.
type Replay = Answer

// Render makes the answer of a filed claim from its view; the transport
// supplies it, and the filing stores what it returns under the request's
// key in the same write as the claim. An error of Render fails the filing
// before anything is written.
type Render func(*View) (Answer, error)

// BeginRequest takes key for the user's request with this body. It returns a
// Replay when the same request already completed; nil when the caller now
// owns the key and must run the request; *KeyMismatchError (422) for the
// same key with another body; ErrConflict (409) while the first request is
// still running; and a ValidationError for a malformed key.
func (s *Service) BeginRequest(ctx context.Context, userID, key string, body []byte) (*Replay, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	k := &models.IdempotencyKey{UserID: userID, Key: key, RequestHash: requestHash(body), State: "in_flight", CreatedAt: s.now().UTC()}
	existing, owned, err := s.store.ClaimKey(ctx, k, StaleInFlight, KeyTTL)
	switch {
	case err != nil:
		return nil, err
	case owned:
		return nil, nil
	case existing.RequestHash != k.RequestHash:
		return nil, KeyMismatchError{}
	case existing.State == "in_flight":
		return nil, fmt.Errorf("request with this Idempotency-Key is still running: %w", apperr.ErrConflict)
	}
	return &Replay{Status: existing.ResponseStatus, Body: []byte(existing.ResponseBody)}, nil
}

// checkKey refuses a malformed key.
func checkKey(key string) error {
	if len(key) < 1 || len(key) > 255 {
		return apperr.InvalidMsg("Idempotency-Key", apperr.M("claims.idempotency_key_length"))
	}
	return nil
}

// requestHash is what binds a key to its request body.
func requestHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// FinishRequest stores a, the answer of a request that failed with a client
// error, so a retry gets the same answer. (Success is stored by File in the
// claim's own transaction.) A key no longer in flight is ErrConflict; the
// caller reports any error, since the key then stays in flight until
// StaleInFlight.
func (s *Service) FinishRequest(ctx context.Context, userID, key string, a Answer) error {
	return s.store.FinishKey(ctx, userID, key, a.Status, string(a.Body))
}

// AbandonRequest forgets a key whose request failed on the server's side, so
// the client's retry runs it again. The caller reports an error: the key
// then stays in flight until StaleInFlight.
func (s *Service) AbandonRequest(ctx context.Context, userID, key string) error {
	return s.store.ReleaseKey(ctx, userID, key)
}

// answerFor is how a filing answers its key: what render makes of the view,
// kept in out for the caller's response.
type answerFor struct {
	key    *KeyAnswer
	render Render
	out    *Answer
}

// answer renders v and returns the key with that answer to store.
func (a *answerFor) answer(v *View) (*KeyAnswer, error) {
	if a.render == nil {
		return nil, fmt.Errorf("idempotency key %s: no answer to store", a.key.Key)
	}
	out, err := a.render(v)
	if err != nil {
		return nil, fmt.Errorf("answer of idempotency key %s: %w", a.key.Key, err)
	}
	*a.out = out
	a.key.Status, a.key.Body = out.Status, string(out.Body)
	return a.key, nil
}
