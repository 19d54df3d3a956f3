package statute

import "errors"

// ErrInvalid is wrapped by every error about malformed input: an unknown enum
// value, a case without windows, overlapping or reversed windows, times after
// "now", negative settings, or ambiguous regimes. Handlers map it to 422.
var ErrInvalid = errors.New("statute: invalid input")

// ErrNoRegime is wrapped when no regime was in force at an outage's start,
// e.g. an outage older than every configured regime. It means the law this
// package encodes does not cover the case, not that the input is malformed.
var ErrNoRegime = errors.New("statute: no regime in force")
