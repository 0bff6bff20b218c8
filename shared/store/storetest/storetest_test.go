package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
	"github.com/fedcost/fedcost/shared/store/storetest"
)

const brokenEnv = "FEDCOST_STORETEST_BROKEN"

// broken wraps the memory store with one deliberate defect, named by mode.
type broken struct {
	*memory.Store
	mode string
}

func (b *broken) PutIfMatch(ctx context.Context, key string, data []byte, v store.Version) (store.Version, error) {
	if b.mode == "cas-ignores-version" {
		if _, err := b.Store.Stat(ctx, key); err != nil {
			return "", store.ErrPreconditionFailed
		}
		return b.Store.Put(ctx, key, data)
	}
	return b.Store.PutIfMatch(ctx, key, data, v)
}

func (b *broken) PutIfAbsent(ctx context.Context, key string, data []byte) (store.Version, error) {
	if b.mode == "create-not-exclusive" {
		return b.Store.Put(ctx, key, data)
	}
	return b.Store.PutIfAbsent(ctx, key, data)
}

func (b *broken) Get(ctx context.Context, key string) ([]byte, store.ObjectInfo, error) {
	if b.mode == "ignores-cancel" {
		ctx = context.Background()
	}
	data, info, err := b.Store.Get(ctx, key)
	if b.mode == "not-found-unwrapped" && err != nil {
		return nil, info, context.DeadlineExceeded // anything but ErrNotFound
	}
	return data, info, err
}

func (b *broken) List(ctx context.Context, prefix, startAfter string, fn func(store.ObjectInfo) error) error {
	var infos []store.ObjectInfo
	if err := b.Store.List(ctx, prefix, startAfter, func(i store.ObjectInfo) error { infos = append(infos, i); return nil }); err != nil {
		return err
	}
	switch b.mode {
	case "list-unsorted":
		if len(infos) > 2 {
			infos[0], infos[len(infos)-1] = infos[len(infos)-1], infos[0]
		}
	case "list-first-page-only":
		infos = infos[:min(len(infos), 1000)]
	}
	for _, i := range infos {
		if err := fn(i); err != nil {
			return err
		}
	}
	return nil
}

// TestBrokenBackendHelper is not a test on its own: TestSuiteCatchesBrokenBackends runs it in a
// child process with a defect selected, and expects it to fail.
func TestBrokenBackendHelper(t *testing.T) {
	mode := os.Getenv(brokenEnv)
	if mode == "" {
		t.Skip("helper for TestSuiteCatchesBrokenBackends")
	}
	storetest.Acceptance(t, func(t *testing.T) store.Store {
		return &broken{Store: memory.New("broken"), mode: mode}
	}, storetest.Options{})
}

// TestSuiteCatchesBrokenBackends: each defect makes the named subtests fail. The suite is only
// worth running if it can fail.
func TestSuiteCatchesBrokenBackends(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"cas-ignores-version":  {"CompareAndSwap", "StaleVersion"},
		"create-not-exclusive": {"PutIfAbsent", "CreateRace"},
		"ignores-cancel":       {"ContextCanceled/Get"},
		"not-found-unwrapped":  {"NotFound"},
		"list-unsorted":        {"List"},
		"list-first-page-only": {"List"},
	}
	for mode, failing := range cases {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenBackendHelper$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a backend with defect %q:\n%s", mode, out)
			}
			for _, sub := range failing {
				if !strings.Contains(string(out), "--- FAIL: TestBrokenBackendHelper/"+sub) {
					t.Errorf("defect %q: subtest %s did not fail:\n%s", mode, sub, tail(string(out)))
				}
			}
		})
	}
	// And the healthy backend passes (guards against the helper failing for other reasons).
	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenBackendHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), brokenEnv+"=none")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("healthy backend failed: %v\n%s", err, tail(string(out)))
		}
	})
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-40):], "\n")
}
