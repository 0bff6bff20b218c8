package cache

import (
	"context"
	"testing"
	"time"
)

func BenchmarkLoadOnly(b *testing.B) {
	st := benchFleet(b)
	for range b.N {
		c, _ := New(st, Options{Now: func() time.Time { return benchEnd }})
		if _, err := c.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
