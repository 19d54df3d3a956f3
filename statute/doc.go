// Package statute is the statutory notice clock: given an outage, it decides
// which notices Korean law requires of the provider and when they fall due.
//
// The law is Telecommunications Business Act §33 and the Enforcement Decree
// article 「전기통신역무 제공 중단 사실 등의 고지」 (제37조의11 in older texts,
// 제37조의13 in the 2024 text). Two notices are owed unless an exemption
// applies: the interruption notice, due "without delay" (the package uses an
// internal target, 60 minutes by default), and the compensation notice, due
// within 30 days of restoration.
//
// The rules are data: each version of the decree is a Regime with an
// effective date, and an outage is judged under the regime in force when it
// started (RegimeAt), not when it is evaluated. DefaultRegimes holds the 2019
// and 2025 texts. Where the law is unclear the reading is a setting: whether
// the 2025 text makes free services owe the compensation notice is
// NewSettings' argument (owed by default, the conservative reading).
//
// Exemptions are checked in a fixed precedence order and the first that
// applies is reported:
//
//  1. announced_maintenance: the cause was pre-announced maintenance;
//  2. carrier_line: a value-added service (VAS) was cut by a carrier line;
//  3. provider_below_size_bar: a VAS provider under the regime's size bar;
//  4. free_service: the service is free and the regime exempts free services
//     from the notice in question;
//  5. short_unforeseen: an unforeseen cause, no critical facility failed,
//     and the outage lasted no more than the threshold (inclusive).
//
// The order puts facts fixed at the start of an outage (cause, provider,
// service) before the one that depends on duration, so the exemption reported
// for an outage that is still open does not flip as it lengthens, except
// when short_unforeseen is lost.
//
// Everything is pure: the caller injects "now", and nothing here reads the
// clock, the database or the network. Errors wrap ErrInvalid (bad input) or
// ErrNoRegime (no regime in force at the outage's start).
package statute
