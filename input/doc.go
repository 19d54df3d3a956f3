// Package input checks untrusted text and identifiers at the edge, so that
// every database answers them the same way: PostgreSQL refuses a NUL byte or
// invalid UTF-8 in text (SQLSTATE 22021) and a malformed uuid (22P02), where
// SQLite would store or compare them. Callers collect the problems in an
// apperr.Fields, each with a Korean and an English message.
//
// Line is for one-line values (names, e-mail addresses, codes, search
// terms): no control characters at all. Text is for free text
// (descriptions, reasons, answers): newline, carriage return and tab are
// allowed, other control characters are not. ID is for identifiers, which
// are UUIDs written with hyphens (36 characters).
package input
