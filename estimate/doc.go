// Package estimate computes a claimant's hourly baseline loss estimate from
// uploaded sales or trip records, as DOMAIN.md section 5 describes.
//
// For each local clock hour that overlaps the outage window and whose start
// lies inside the claimant's weekly schedule, the baseline is the median of
// the sums recorded in the same wall-clock hour 7, 14, 21 and 28 days
// earlier. A week without records counts as ₩0. The median of four numbers
// is the mean of the middle two, rounded down to whole won. The hour's loss
// is max(0, baseline - actual), where actual is the sum of the whole hour,
// including any part of it that lies outside the outage window.
//
// The raw loss (sum of hour losses) is multiplied by the margin, substitute
// and platform-share factors in that order, each step rounding down to whole
// won, and is then capped. Every step is returned as a Step so the claimant
// can follow the arithmetic.
//
// Hours are keyed by local wall-clock date and hour, so "one week earlier"
// means the same wall-clock hour seven calendar days earlier even across a
// daylight-saving change (irrelevant in Korea, correct elsewhere).
//
// The package is pure: no I/O, no clock, stdlib only.
package estimate
