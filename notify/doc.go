// Package notify sends the outbox's messages: events written in the same
// transaction as the change they report (a claim filed, withdrawn, decided,
// paid) are sent at least once to the claimant, by e-mail when SMTP is
// configured and to the log otherwise; package jobs runs each message's
// River job, which calls a Sender (Router picks one by topic). Every message carries a dedupe id so a receiver can drop the
// repeats that at-least-once delivery allows. SMSSender sends SMS and LMS
// through NHN Cloud Notification SMS (API v3.0), for the offer notices of
// issue 14.
package notify
