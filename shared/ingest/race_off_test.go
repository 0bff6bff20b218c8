//go:build !race

package ingest

const defaultSchedules = 200
