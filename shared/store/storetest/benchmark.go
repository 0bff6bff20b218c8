package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
)

// Benchmark measures s: Put, Get and PutIfMatch of 1 KiB and 1 MiB objects (ops/s and MB/s) and
// List over 1,000 keys (keys/s). It writes under the key prefix "fedcost-bench-<random>/" and
// deletes what it wrote. It asserts nothing about speed.
func Benchmark(b *testing.B, s store.Store) {
	ctx := context.Background()
	base := "fedcost-bench-" + randomHex(4) + "/"
	b.Logf("benchmark: %s", s.Name())
	for _, size := range []int{1 << 10, 1 << 20} {
		data := make([]byte, size)
		_, _ = rand.Read(data)
		label := fmt.Sprintf("%dKiB", size>>10)
		key := base + "obj-" + label

		b.Run("Put/"+label, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := s.Put(ctx, key, data); err != nil {
					b.Fatal(err)
				}
			}
			reportOps(b)
		})
		b.Run("Get/"+label, func(b *testing.B) {
			if _, err := s.Put(ctx, key, data); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, _, err := s.Get(ctx, key); err != nil {
					b.Fatal(err)
				}
			}
			reportOps(b)
		})
		b.Run("PutIfMatch/"+label, func(b *testing.B) {
			v, err := s.Put(ctx, key, data)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			for b.Loop() {
				if v, err = s.PutIfMatch(ctx, key, data, v); err != nil {
					b.Fatal(err)
				}
			}
			reportOps(b)
		})
		_ = s.Delete(ctx, key)
	}

	b.Run("List/1000keys", func(b *testing.B) {
		dir := base + "list/"
		const n = 1000
		for i := range n {
			if _, err := s.Put(ctx, fmt.Sprintf("%sk%04d", dir, i), []byte("x")); err != nil {
				b.Fatal(err)
			}
		}
		b.Cleanup(func() {
			for i := range n {
				_ = s.Delete(ctx, fmt.Sprintf("%sk%04d", dir, i))
			}
		})
		for b.Loop() {
			count := 0
			if err := s.List(ctx, dir, "", func(store.ObjectInfo) error { count++; return nil }); err != nil {
				b.Fatal(err)
			}
			if count != n {
				b.Fatalf("listed %d keys, want %d", count, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
		reportOps(b)
	})
}

func reportOps(b *testing.B) {
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(b.N)/sec, "ops/s")
	}
}
