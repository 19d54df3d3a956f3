package store_test

import "time"

// testNow is the store tests' present: a fixed instant, so that no test
// reads the wall clock and every time a test writes is one it can name.
var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixedClock is the clock of the services and databases the store tests
// build: it always reads testNow.
func fixedClock() time.Time { return testNow }
