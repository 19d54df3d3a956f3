// Package outage is the registry of outage windows and the catalogue they
// are recorded against: providers, services, their features and the
// dependencies between services. It judges every outage with the statutory
// clock (package statute), drafts the notices the law requires, and keeps the
// history of every correction.
package outage
