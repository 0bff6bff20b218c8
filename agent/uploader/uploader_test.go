package uploader_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/build"
	"github.com/fedcost/fedcost/agent/internal/flaky"
	"github.com/fedcost/fedcost/agent/spool"
	"github.com/fedcost/fedcost/agent/uploader"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var (
	t0  = time.Date(2026, 11, 20, 12, 30, 0, 0, time.UTC)
	win = layout.WindowFor(layout.Hourly, t0.Add(-time.Hour))
)

func noSleep(context.Context, time.Duration) error { return nil }

// file builds the allocations file of win with n records.
func file(t *testing.T, n int) build.File {
	t.Helper()
	w := cost.NewWindow(win.Start, win.End)
	set := cost.NewAllocationSet(w)
	for i := range n {
		p := &cost.AllocationProperties{Cluster: "c1", Node: "n1", Namespace: "ns", Pod: "pod", Container: string(rune('a' + i))}
		set.Allocations[p.DefaultName()] = &cost.Allocation{Name: p.DefaultName(), Properties: p, Window: w, Start: w.Start, End: w.End, CPUCost: 1}
	}
	files, err := build.Files("c1", layout.Hourly, win, set, nil, etl.Producer{Agent: "fedcost-agent", Version: "test", InstallID: "i", BuiltAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return files[0]
}

func TestEmptyNeverReplacesNonEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing int // records already uploaded; -1 = nothing uploaded
		upload   int
		viaSpool bool
		want     uploader.Outcome
		wantKept bool // the existing object is still there
	}{
		{"empty over non-empty is skipped", 2, 0, false, uploader.SkippedNonEmpty, true},
		{"empty over non-empty is skipped when drained from the spool", 2, 0, true, uploader.SkippedNonEmpty, true},
		{"empty over nothing is uploaded", -1, 0, false, uploader.Uploaded, false},
		{"empty over empty is uploaded", 0, 0, false, uploader.Uploaded, false},
		{"non-empty over non-empty is uploaded", 2, 3, false, uploader.Uploaded, false},
		{"non-empty over empty is uploaded", 0, 1, false, uploader.Uploaded, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := flaky.New(memory.New(t.Name()), nil)
			var before []byte
			if tc.existing >= 0 {
				before = file(t, tc.existing).Data
				if _, err := st.Put(ctx, file(t, 0).Key(), before); err != nil {
					t.Fatal(err)
				}
			}
			st.Puts() // forget the setup
			sp, err := spool.Open(t.TempDir(), spool.Limits{}, func() time.Time { return t0 })
			if err != nil {
				t.Fatal(err)
			}
			u, err := uploader.New(uploader.Config{Store: st, Spool: sp, Now: func() time.Time { return t0 },
				Retry: store.RetryPolicy{MaxAttempts: 2, Sleep: noSleep}})
			if err != nil {
				t.Fatal(err)
			}
			f := file(t, tc.upload)
			got, err := uploader.Outcome(""), error(nil)
			if tc.viaSpool {
				st.SetDown(true)
				if out, err := u.Upload(ctx, f); err != nil || out != uploader.Spooled {
					t.Fatalf("upload while down: %s, %v; want spooled", out, err)
				}
				st.SetDown(false)
				if pending, err := u.Drain(ctx); err != nil || pending != 0 {
					t.Fatalf("drain: %d pending, %v", pending, err)
				}
				got = tc.want // the outcome of a drained file is checked through the store below
			} else {
				got, err = u.Upload(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
			}
			if got != tc.want {
				t.Errorf("outcome %s, want %s", got, tc.want)
			}
			written := len(st.Puts()) > 0
			if written == tc.wantKept {
				t.Errorf("written = %v, want %v", written, !tc.wantKept)
			}
			now, _, err := st.Get(ctx, f.Key())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool][]byte{true: before, false: f.Data}[tc.wantKept]; !bytes.Equal(now, want) {
				t.Error("the object holds the wrong build")
			}
			if files, _, _ := sp.Stats(); files != 0 {
				t.Errorf("%d files left in the spool", files)
			}
		})
	}
}

func TestUploadWithoutSpoolReturnsTheError(t *testing.T) {
	t.Parallel()
	st := flaky.New(memory.New("x"), nil)
	st.SetDown(true)
	u, err := uploader.New(uploader.Config{Store: st, Now: func() time.Time { return t0 }, Retry: store.RetryPolicy{MaxAttempts: 3, Sleep: noSleep}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := u.Upload(context.Background(), file(t, 1))
	if err == nil || out != uploader.Failed {
		t.Fatalf("outcome %s, err %v; want failed with an error", out, err)
	}
	if !u.Status().LastSuccess.IsZero() {
		t.Error("a failed upload counted as a success")
	}
}

func TestUploadInterruptedByShutdownIsSpooled(t *testing.T) {
	t.Parallel()
	st := flaky.New(memory.New("x"), nil)
	sp, err := spool.Open(t.TempDir(), spool.Limits{}, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	u, err := uploader.New(uploader.Config{Store: st, Spool: sp, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := file(t, 1)
	if out, err := u.Upload(ctx, f); err != nil || out != uploader.Spooled {
		t.Fatalf("outcome %s, %v; want spooled", out, err)
	}
	if pending, err := u.Drain(context.Background()); err != nil || pending != 0 {
		t.Fatalf("drain after restart: %d pending, %v", pending, err)
	}
	if got, _, err := st.Get(context.Background(), f.Key()); err != nil || !bytes.Equal(got, f.Data) {
		t.Errorf("spooled file not uploaded by the drain: %v", err)
	}
}
