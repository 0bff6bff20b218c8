package gcs

import (
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

func TestAcceptanceFakeGCS(t *testing.T) {
	c, f := startFake(t)
	// A 1 MiB chunk size sends the suite's large object (6 MiB) as a resumable upload.
	c.ChunkSizeBytes = 1 << 20
	newStore := func(t *testing.T) store.Store {
		c := c
		c.Bucket = f.newBucket(t)
		return mustNew(t, c)
	}
	opts := storetest.Options{LargeObjectSize: c.ChunkSizeBytes}
	t.Run("plain", func(t *testing.T) {
		t.Logf("target: fake-gcs-server v1.56.1 (embedded) at %s, chunk_size_bytes %d", c.Endpoint, c.ChunkSizeBytes)
		storetest.Acceptance(t, newStore, opts)
	})
	t.Run("prefixed", func(t *testing.T) {
		t.Logf("target: fake-gcs-server v1.56.1 (embedded) at %s, behind store.WithPrefix", c.Endpoint)
		storetest.Acceptance(t, func(t *testing.T) store.Store { return store.WithPrefix(newStore(t), "tenant/a") }, opts)
	})
}

func BenchmarkFakeGCS(b *testing.B) {
	c, _ := startFake(b, "fedcost-bench")
	s := mustNew(b, c)
	b.Logf("target: fake-gcs-server v1.56.1 (embedded) at %s", c.Endpoint)
	storetest.Benchmark(b, s)
}
