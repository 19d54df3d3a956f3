// Package outage is the registry of outage windows and the catalogue they
// are recorded against: providers, services, their features and the
// dependencies between services. It judges every outage with the statutory
// clock (package statute), drafts the notices the law requires (the
// compensation notice states the criteria, evidence and filing deadline of
// the compensation policy that governs the outage, package policy), and keeps
// the history of every correction.
package outage
