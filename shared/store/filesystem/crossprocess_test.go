package filesystem_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/fedcost/fedcost/shared/store/storetest"
)

// Environment of the helper process.
const (
	helperDir   = "FEDCOST_FS_HELPER_DIR"
	helperCount = "FEDCOST_FS_HELPER_INCREMENTS"
)

// TestHelperProcess is not a test: TestCrossProcessCompareAndSwap runs the test binary again with
// -test.run=^TestHelperProcess$ and the environment above, and this increments the counter.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDir)
	if dir == "" {
		t.Skip("helper process for TestCrossProcessCompareAndSwap")
	}
	n, _ := strconv.Atoi(os.Getenv(helperCount))
	s := newStore(t, dir)
	for range n {
		if err := storetest.Increment(context.Background(), s, "counter", 100000); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(0)
}

// TestCrossProcessCompareAndSwap: several processes increment one counter with Get+PutIfMatch;
// no increment may be lost, which holds only if the per-key locks work across processes.
func TestCrossProcessCompareAndSwap(t *testing.T) {
	t.Parallel()
	const procs, each = 4, 25
	dir := t.TempDir()
	s := newStore(t, dir)
	if _, err := s.Put(context.Background(), "counter", []byte("0")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, procs)
	for i := range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperDir+"="+dir, helperCount+"="+strconv.Itoa(each))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("process %d: %v: %s", i, err, out)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, _, err := s.Get(context.Background(), "counter")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strconv.Itoa(procs*each) {
		t.Fatalf("counter = %s after %d processes × %d increments", got, procs, each)
	}
}
