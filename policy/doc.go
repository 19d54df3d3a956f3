// Package policy prices a compensation claim under a versioned compensation
// policy and explains every step, as DOMAIN.md section 5 describes.
//
// A Policy names, for each claimant Category, the Rule that turns an outage
// and a claimant's inputs into an amount in won (flat, fee x outage days,
// bands on the loss, the hourly baseline loss estimate, or SLA-style credit
// tiers by availability), a cap, the evidence required, whether the result may
// be approved automatically, and the filing window. Policies are chosen by the
// outage's start (Select) and are immutable once a claim was priced under
// them; callers store the policy version with every Estimate.
//
// Price returns the amount together with Steps a claimant can follow: the
// policy, the outage window in Korean time, the inputs, each formula written
// out with its numbers, the rounding, the band or tier chosen, the cap and
// the final amount.
//
// Money is int64 won throughout. Fractions (fee x days / days in month, a
// percentage of a fee) are computed exactly with math/big and shown to two
// decimals, then rounded up to the policy's unit, so the arithmetic never
// touches floating point and never overflows. Inputs above MaxKRW are
// rejected as absurd.
//
// The package is pure: no I/O, no clock; it imports only the standard
// library, estimate and apperr.
package policy
