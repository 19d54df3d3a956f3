// Package review is how staff clear claims: a queue leased one claim at a
// time (two reviewers never get the same claim), decisions that are
// immutable rows guarded by the claim's version, a second approval by a
// different supervisor above the authority limit, automatic approval by the
// policy's rules with a sampled share left to people, appeals decided by
// someone else, and fraud and duplicate signals that flag but never reject.
package review
