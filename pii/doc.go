// Package pii handles the personal data the law lists (bank account numbers,
// driver licence numbers): it encrypts them at rest with AES-256-GCM under a
// key id that allows rotation, masks them in one consistent way for every
// screen and log, and validates Korean business registration numbers.
package pii
