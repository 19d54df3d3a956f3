// Package contact proves that a person holds the phone or the e-mail
// address their account names, with a one-time code sent by SMS or mail
// through the outbox. Offers are matched only to proven addresses.
package contact
