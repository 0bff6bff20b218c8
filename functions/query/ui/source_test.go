package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/functions/query/source"
	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// loadCombined reads the derived objects under federated/combined/ into a source.Memory: the
// allocations and assets of both resolutions (one set per window, all clusters merged) and
// the per-cluster status objects. It stands in for the storage-backed cache
// (functions/query/cache) until that lands; the data is the ingest core's output either way.
func loadCombined(ctx context.Context, t *testing.T, st store.Store) *source.Memory {
	t.Helper()
	mem := source.NewMemory()
	for _, res := range []struct {
		l layout.Resolution
		s source.Resolution
	}{{layout.Hourly, source.Hourly}, {layout.Daily, source.Daily}} {
		allocs := map[time.Time]*cost.AllocationSet{}
		assets := map[time.Time]*cost.AssetSet{}
		for _, kind := range []layout.DerivedKind{layout.DerivedAllocations, layout.DerivedAssets} {
			err := st.List(ctx, layout.DerivedPrefix(kind, res.l), "", func(oi store.ObjectInfo) error {
				d, err := layout.ParseDerived(oi.Key)
				if err != nil {
					return err
				}
				b, _, err := st.Get(ctx, oi.Key)
				if err != nil {
					return err
				}
				w := cost.NewWindow(d.Window.Start, d.Window.End)
				if kind == layout.DerivedAllocations {
					rows, err := combined.ReadRows[combined.AllocationRow](b)
					if err != nil {
						return fmt.Errorf("%s: %w", oi.Key, err)
					}
					set := allocs[w.Start]
					if set == nil {
						set = cost.NewAllocationSet(w)
						allocs[w.Start] = set
					}
					for i := range rows {
						set.Insert(rows[i].Allocation(d.Cluster))
					}
					return nil
				}
				rows, err := combined.ReadRows[combined.AssetRow](b)
				if err != nil {
					return fmt.Errorf("%s: %w", oi.Key, err)
				}
				set := assets[w.Start]
				if set == nil {
					set = cost.NewAssetSet(w)
					assets[w.Start] = set
				}
				for i := range rows {
					set.Insert(rows[i].Key, rows[i].Asset(d.Cluster))
				}
				return nil
			})
			if err != nil {
				t.Fatalf("load %s %s: %v", kind, res.l, err)
			}
		}
		for _, s := range allocs {
			mem.AddAllocationSets(res.s, s)
		}
		for _, s := range assets {
			mem.AddAssetSets(res.s, s)
		}
	}
	var clusters []source.ClusterStatus
	err := st.List(ctx, layout.StatusPrefix, "", func(oi store.ObjectInfo) error {
		if !strings.HasSuffix(oi.Key, ".json") {
			return nil
		}
		b, _, err := st.Get(ctx, oi.Key)
		if err != nil {
			return err
		}
		s, err := combined.DecodeStatus(b)
		if err != nil {
			return err
		}
		c := source.ClusterStatus{ClusterID: s.Cluster, LastUpload: s.LastUpload, LastDerive: s.LastDerive,
			AgentVersion: s.AgentVersion(), Duplicate: s.Duplicate(time.Hour), LastError: s.LastError, Quarantined: s.Quarantined}
		if !s.LastDerive.IsZero() && s.LastDerive.After(s.LastUpload) {
			c.Lag = s.LastDerive.Sub(s.LastUpload)
		}
		for _, in := range s.Installs {
			c.InstallIDs = append(c.InstallIDs, in.ID)
		}
		for _, q := range s.QuarantinedUploads {
			c.QuarantineReasons = append(c.QuarantineReasons, source.QuarantineRecord{Key: q.Key, Reason: q.Reason + ": " + q.Detail, Time: q.Time})
		}
		clusters = append(clusters, c)
		return nil
	})
	if err != nil {
		t.Fatalf("load status: %v", err)
	}
	mem.SetClusters(clusters)
	return mem
}
