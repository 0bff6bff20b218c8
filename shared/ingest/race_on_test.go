//go:build race

package ingest

// Under the race detector the randomized schedules run ~10× slower; `make test` also runs
// 1,000 of them without it.
const defaultSchedules = 12
