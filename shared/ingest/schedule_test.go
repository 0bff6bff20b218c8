package ingest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var schedules = flag.Int("schedules", defaultSchedules, "randomized event schedules to run (the issue asks ≥ 1000: go test -run TestRandomSchedules -schedules 1000)")

// errInjected is a transient fault (a 503, a timeout) injected by faultyStore.
var errInjected = errors.New("injected transient fault (503 SlowDown)")

// faultyStore injects faults into the aggregator's view of the bucket: transient errors
// before an operation, lost responses after a write (the caller sees an error although the
// write happened), and the 412 an SDK retry reports after a lost success of a conditional
// write.
type faultyStore struct {
	store.Store
	mu   sync.Mutex
	rng  *rand.Rand
	rate float64 // probability of each fault kind per call
	on   bool
}

func (f *faultyStore) roll() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.on {
		return 0
	}
	x := f.rng.Float64()
	switch {
	case x < f.rate:
		return 1 // fail before
	case x < 2*f.rate:
		return 2 // lost response after
	case x < 3*f.rate:
		return 3 // 412 after a lost success (conditional writes)
	}
	return 0
}

func (f *faultyStore) setOn(on bool) { f.mu.Lock(); f.on = on; f.mu.Unlock() }

func (f *faultyStore) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if f.roll() == 1 {
		return nil, store.ObjectInfo{}, errInjected
	}
	return f.Store.Get(ctx, key)
}

func (f *faultyStore) Stat(ctx context.Context, key string) (store.ObjectInfo, error) {
	if f.roll() == 1 {
		return store.ObjectInfo{}, context.DeadlineExceeded
	}
	return f.Store.Stat(ctx, key)
}

func (f *faultyStore) write(do func() (store.Version, error), conditional bool) (store.Version, error) {
	switch f.roll() {
	case 1:
		return "", errInjected
	case 2:
		do()
		return "", errInjected
	case 3:
		v, err := do()
		if err == nil && conditional {
			return "", fmt.Errorf("after retry: %w", store.ErrPreconditionFailed)
		}
		return v, err
	}
	return do()
}

func (f *faultyStore) Put(ctx context.Context, key string, data []byte) (store.Version, error) {
	return f.write(func() (store.Version, error) { return f.Store.Put(ctx, key, data) }, false)
}

func (f *faultyStore) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	return f.write(func() (store.Version, error) { return f.Store.PutIfAbsent(ctx, key, data) }, true)
}

func (f *faultyStore) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	return f.write(func() (store.Version, error) { return f.Store.PutIfMatch(ctx, key, data, v) }, true)
}

func (f *faultyStore) List(ctx context.Context, prefix, after string, fn func(store.ObjectInfo) error) error {
	if f.roll() == 1 {
		return errInjected
	}
	return f.Store.List(ctx, prefix, after, fn)
}

// scheduleUploads is the agent side of one schedule: for each (cluster, window, kind), a
// sequence of versions, sometimes a bad one in between; the last is always good and non-empty.
func scheduleUploads(r *rand.Rand) map[string][][]byte {
	out := map[string][][]byte{}
	for _, cl := range []string{"c1", "c2"} {
		for h := range 2 {
			w := layout.WindowFor(layout.Hourly, testHour.Start.Add(time.Duration(h)*time.Hour))
			for _, kind := range layout.Kinds {
				n := 1 + r.IntN(3)
				var versions [][]byte
				for v := range n {
					seed := r.Uint64()
					var d *etl.Document
					if kind == layout.Allocations {
						d = allocDoc(cl, w, 2+r.IntN(4), seed, "inst-"+cl)
					} else {
						d = assetDoc(cl, w, seed, "inst-"+cl)
					}
					b, _ := etl.Encode(d)
					if v < n-1 && r.IntN(4) == 0 {
						b = []byte("corrupt upload " + fmt.Sprint(seed)) // refused, later replaced
					}
					versions = append(versions, b)
				}
				out[upload(cl, kind, w).Key()] = versions
			}
		}
	}
	return out
}

// snapshot is federated/combined/ in comparable form: object bytes by key, with manifests
// and status reduced to what is independent of store versions and wall-clock times. Fleet
// objects are left out (their index holds store versions, and only reconcile passes write
// them): checkFleet checks them against the per-cluster rollups instead.
func snapshot(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	snap := map[string]string{}
	err := st.List(ctx, layout.CombinedPrefix, "", func(oi store.ObjectInfo) error {
		if strings.HasPrefix(oi.Key, layout.CombinedPrefix+layout.FleetDir+"/") {
			return nil
		}
		b, _, err := st.Get(ctx, oi.Key)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(oi.Key, layout.ManifestPrefix("")):
			m, err := combined.DecodeManifest(b)
			if err != nil {
				return err
			}
			var parts []string
			for k, s := range m.Sources {
				parts = append(parts, fmt.Sprintf("src %s %s records=%d size=%d install=%s", k, s.Key, s.Records, s.Size, s.InstallID))
			}
			for k, o := range m.Outputs {
				parts = append(parts, fmt.Sprintf("out %s %s rows=%d bytes=%d", k, o.Key, o.Rows, o.Bytes))
			}
			sort.Strings(parts)
			snap[oi.Key] = strings.Join(parts, "\n")
		case strings.HasPrefix(oi.Key, layout.StatusPrefix):
			s, err := combined.DecodeStatus(b)
			if err != nil {
				return err
			}
			var ids []string
			for _, in := range s.Installs {
				ids = append(ids, in.ID+"@"+in.AgentVersion)
			}
			snap[oi.Key] = fmt.Sprintf("installs=%v quarantined=%d listed=%d", ids, s.Quarantined, len(s.QuarantinedUploads))
		default:
			snap[oi.Key] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// runSchedule plays one randomized schedule and checks the invariant.
func runSchedule(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	ctx := context.Background()
	bucket := memory.New("bucket")
	faulty := &faultyStore{Store: bucket, rng: rand.New(rand.NewPCG(seed, 3)), rate: 0.02 + r.Float64()*0.05, on: true}
	core, err := New(Config{Store: faulty, MaxAttempts: 6, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	uploads := scheduleUploads(r)
	keys := make([]string, 0, len(uploads))
	for k := range uploads {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	// The agent writes versions in order per key, interleaved across keys; each write emits an
	// event that may be dropped, duplicated, delayed (shuffled) and retried on failure.
	var pending []string
	var writes []func()
	for _, k := range keys {
		for _, v := range uploads[k] {
			writes = append(writes, func() {
				if _, err := bucket.Put(ctx, k, v); err != nil {
					t.Error(err)
				}
			})
		}
	}
	next := map[string]int{}
	var order []string // key per write, respecting per-key version order
	for _, k := range keys {
		for range uploads[k] {
			order = append(order, k)
		}
	}
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	idx := map[string]int{}
	offset := 0
	for _, k := range keys {
		idx[k] = offset
		offset += len(uploads[k])
	}

	workers := 1 + r.IntN(4)
	// process delivers a batch of events to concurrent invocations; failures (transient
	// errors) come back for the platform's retry.
	process := func(batch []string) (failed []string) {
		events := make(chan string)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for key := range events {
					if _, err := core.Ingest(ctx, key); err != nil {
						mu.Lock()
						failed = append(failed, key)
						mu.Unlock()
					}
				}
			}()
		}
		for _, k := range batch {
			events <- k
		}
		close(events)
		wg.Wait()
		return failed
	}
	// Writes and events interleave: after each write, a burst of the events emitted so far.
	var burst []string
	var retry []string
	for i, k := range order {
		writes[idx[k]+next[k]]()
		next[k]++
		switch x := r.IntN(10); {
		case x == 0: // dropped
		case x <= 2: // duplicated now and later
			burst = append(burst, k)
			pending = append(pending, k)
		case x <= 4: // delayed
			pending = append(pending, k)
		default:
			burst = append(burst, k)
		}
		if r.IntN(3) == 0 || i == len(order)-1 {
			retry = append(retry, process(burst)...)
			burst = nil
		}
	}
	r.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
	retry = append(retry, process(pending)...)
	for round := 0; round < 2 && len(retry) > 0; round++ {
		retry = process(retry) // what still fails is dropped, as after the platform's last retry
	}

	// Heal: one reconcile with the faults still on may fail; one without faults must succeed.
	core.Reconcile(ctx, ReconcileOptions{Concurrency: 2})
	faulty.setOn(false)
	if _, err := core.Reconcile(ctx, ReconcileOptions{Concurrency: 3}); err != nil {
		t.Fatalf("seed %d: reconcile: %v", seed, err)
	}
	// The pass ended with a compaction: every window's fleet object holds its clusters'
	// current rollups.
	if n := checkFleet(t, bucket); n != 2 {
		t.Fatalf("seed %d: %d windows with rollups, want 2", seed, n)
	}

	// Reference: a sequential derivation of the final uploads on a fresh bucket.
	ref := memory.New("ref")
	refCore := newCore(t, ref)
	for _, k := range keys {
		vs := uploads[k]
		put(t, ref, k, vs[len(vs)-1])
	}
	for _, k := range keys {
		if _, err := refCore.Ingest(ctx, k); err != nil {
			t.Fatalf("reference ingest: %v", err)
		}
	}
	got, want := snapshot(t, bucket), snapshot(t, ref)
	if len(got) != len(want) {
		t.Fatalf("seed %d: %d derived objects, want %d\n got keys %v\nwant keys %v", seed, len(got), len(want), sortedKeys(got), sortedKeys(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Fatalf("seed %d: missing %s", seed, k)
		}
		if g != w {
			if strings.HasSuffix(k, ".parquet") {
				t.Fatalf("seed %d: %s differs (%d vs %d bytes)", seed, k, len(g), len(w))
			}
			t.Fatalf("seed %d: %s differs:\n got %s\nwant %s", seed, k, g, w)
		}
	}
	if bytes.Contains([]byte(fmt.Sprint(got)), []byte("corrupt")) {
		t.Fatalf("seed %d: a corrupt upload reached derived data", seed)
	}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestRandomSchedules(t *testing.T) {
	n := *schedules
	if testing.Short() {
		n = 20
	}
	for i := range n {
		seed := uint64(i) + 1
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			runSchedule(t, seed)
		})
	}
}
