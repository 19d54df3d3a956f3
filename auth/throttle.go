package auth

import (
	"context"
	"time"

	"github.com/bosang/bosang/apperr"
)

// Throttle limits password guessing without handing anyone a way to lock an
// account out for its owner, and limits sign-ups.
//
// Per account and client address (the pair): the first PairFree failures
// cost nothing; from then on each failure makes that pair wait, PairDelay
// after the PairFree-th and doubling with every further failure up to
// PairMaxDelay. Failures older than PairWindow are forgotten, and a login
// from the pair clears them. The owner logging in from another address is
// not slowed at all.
//
// Per account from every address: MaxAccount failures within AccountWindow
// block the account for AccountBlock. The limit is high, so that only a
// guesser spread over many addresses reaches it.
//
// Per client address across accounts (password spraying): MaxAddress
// failures within AddressWindow block the address for AddressBlock.
//
// Sign-up: MaxSignups attempts (that pass validation) per client address
// within SignupWindow, then the address waits for SignupWindow.
type Throttle struct {
	PairFree     int
	PairDelay    time.Duration
	PairMaxDelay time.Duration
	PairWindow   time.Duration

	MaxAccount    int
	AccountWindow time.Duration
	AccountBlock  time.Duration

	MaxAddress    int
	AddressWindow time.Duration
	AddressBlock  time.Duration

	MaxSignups   int
	SignupWindow time.Duration
}

// DefaultThrottle: per pair 5 free failures, then 30 s, 1 min, 2 min, ...
// up to 15 min; per account 100 failures an hour; per address 20 failures
// in 15 minutes; 20 sign-ups per address an hour.
var DefaultThrottle = Throttle{
	PairFree: 5, PairDelay: 30 * time.Second, PairMaxDelay: 15 * time.Minute, PairWindow: 24 * time.Hour,
	MaxAccount: 100, AccountWindow: time.Hour, AccountBlock: 15 * time.Minute,
	MaxAddress: 20, AddressWindow: 15 * time.Minute, AddressBlock: 15 * time.Minute,
	MaxSignups: 20, SignupWindow: time.Hour,
}

// PairWait is how long a pair waits after its failures-th failure within
// the window: nothing before PairFree, then PairDelay doubling, capped at
// PairMaxDelay.
func (t Throttle) PairWait(failures int) time.Duration {
	if failures < t.PairFree {
		return 0
	}
	d := t.PairDelay
	for range failures - t.PairFree {
		if d >= t.PairMaxDelay {
			break
		}
		d *= 2
	}
	return min(d, t.PairMaxDelay)
}

// loginKeys are the throttle keys of a login attempt: the pair, the
// account and the address.
type loginKeys struct{ pair, account, addr string }

func keysFor(email, clientAddr string) loginKeys {
	return loginKeys{pair: "pair:" + clientAddr + "|" + email, account: "account:" + email, addr: "addr:" + clientAddr}
}

// checkBlocked returns *apperr.RateLimited when any key is blocked now.
func (s *Service) checkBlocked(ctx context.Context, keys ...string) error {
	now := s.now()
	for _, k := range keys {
		until, err := s.store.LoginBlockedUntil(ctx, k)
		if err != nil {
			return err
		}
		if until.After(now) {
			return &apperr.RateLimited{RetryAfterSeconds: retryAfter(until.Sub(now))}
		}
	}
	return nil
}

// retryAfter rounds a wait up to whole seconds.
func retryAfter(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// recordFailure counts a failed login against the pair, the account and
// the address, and blocks what went over its limit.
func (s *Service) recordFailure(ctx context.Context, k loginKeys) error {
	now := s.now()
	t := s.throttle
	n, err := s.store.RecordLoginFailure(ctx, k.pair, now, t.PairWindow)
	if err != nil {
		return err
	}
	if wait := t.PairWait(n); wait > 0 {
		if err := s.store.BlockLogin(ctx, k.pair, now.Add(wait)); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		key           string
		max           int
		window, block time.Duration
	}{{k.account, t.MaxAccount, t.AccountWindow, t.AccountBlock}, {k.addr, t.MaxAddress, t.AddressWindow, t.AddressBlock}} {
		n, err := s.store.RecordLoginFailure(ctx, l.key, now, l.window)
		if err != nil {
			return err
		}
		if n >= l.max {
			if err := s.store.BlockLogin(ctx, l.key, now.Add(l.block)); err != nil {
				return err
			}
		}
	}
	return nil
}

// countSignup refuses a sign-up from an address over its limit with
// *apperr.RateLimited, and counts this one. The counter shares the login
// throttle's table under its own key.
func (s *Service) countSignup(ctx context.Context, clientAddr string) error {
	key := "signup:" + clientAddr
	if err := s.checkBlocked(ctx, key); err != nil {
		return err
	}
	now := s.now()
	n, err := s.store.RecordLoginFailure(ctx, key, now, s.throttle.SignupWindow)
	if err != nil {
		return err
	}
	if n >= s.throttle.MaxSignups {
		return s.store.BlockLogin(ctx, key, now.Add(s.throttle.SignupWindow))
	}
	return nil
}
