package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// ErrNoUploads is returned by Repair when the bucket holds no upload for the range: nothing
// is touched (a repair outside the data's retention must not erase what was derived).
var ErrNoUploads = errors.New("no uploads for the range")

// RepairReport lists what Repair did.
type RepairReport struct {
	Repaired []WindowRef // windows re-derived from their uploads
	Failed   int
}

// Repair forces re-derivation of every window of cluster that overlaps [from, to) and has an
// upload, whatever the manifests say. Windows without uploads are left as they are.
func (c *Core) Repair(ctx context.Context, cluster string, from, to time.Time, progress func(done, total int)) (RepairReport, error) {
	var rep RepairReport
	if err := layout.ValidateClusterID(cluster); err != nil {
		return rep, err
	}
	if !from.Before(to) {
		return rep, fmt.Errorf("repair range [%s, %s) is empty", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	set := map[WindowRef]bool{}
	prefix := layout.ClusterPrefix(cluster) + "etl/"
	err := c.st.List(ctx, prefix, "", func(oi store.ObjectInfo) error {
		p, err := layout.Parse(oi.Key)
		if err != nil || p.Class != layout.UploadClass {
			return nil
		}
		w := p.Upload.Window
		if w.Start.Before(to) && from.Before(w.End) {
			set[WindowRef{cluster, p.Upload.Resolution, w}] = true
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("list %s: %w", prefix, err)
	}
	if len(set) == 0 {
		return rep, fmt.Errorf("cluster %s, [%s, %s): %w; nothing was touched (check the cluster id and the range, and that the agent uploaded it)",
			cluster, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), ErrNoUploads)
	}
	refs := make([]WindowRef, 0, len(set))
	for r := range set {
		refs = append(refs, r)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
	var errs []error
	for i, r := range refs {
		if _, err := c.DeriveWindow(ctx, r.Cluster, r.Resolution, r.Window, true); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("%s: %w", r, err))
		} else {
			rep.Repaired = append(rep.Repaired, r)
		}
		if progress != nil {
			progress(i+1, len(refs))
		}
	}
	return rep, errors.Join(errs...)
}
