package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/cost"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

// output is one derived object's content.
type output struct {
	data []byte
	rows int
}

// Rollup dimensions (combined.AllocationRow.Dimension in rollups objects).
const (
	DimNamespace  = "namespace"
	DimController = "controller"
	DimNode       = "node"
	DimIdle       = "idle" // the per-node idle rows, repeated from the allocations object
)

// Derived is the pure result of deriving one window.
type DerivedRows struct {
	Allocations []combined.AllocationRow // container rows, then idle rows (when assets exist)
	Assets      []combined.AssetRow
	Rollups     []combined.AllocationRow
	HasAllocs   bool
	HasAssets   bool
}

// DeriveRows is the pure derivation of a window from its allocation and asset sets (either may
// be nil: not uploaded). Idle rows (per node, cost.ComputeIdle) are added to the allocations
// once both exist; rollups aggregate the container rows by namespace, controller and node
// with cost.Allocation.Add, the same merge the query engine uses. Rows are sorted, so equal
// inputs give equal output bytes.
func DeriveRows(cluster string, allocs *cost.AllocationSet, assets *cost.AssetSet) DerivedRows {
	var d DerivedRows
	if allocs != nil {
		d.HasAllocs = true
		for _, a := range allocs.Allocations {
			if a.IsIdle() {
				continue // idle is derived here, never taken from an upload
			}
			d.Allocations = append(d.Allocations, combined.RowFromAllocation(a))
		}
		d.Rollups = rollups(allocs, allocs.Names())
		if assets != nil {
			for _, idle := range cost.ComputeIdle(allocs, assets, true) {
				r := combined.RowFromAllocation(idle)
				d.Allocations = append(d.Allocations, r)
				// Rollups carry the idle rows too, so long-window queries never open
				// container rows.
				r.Dimension = DimIdle
				d.Rollups = append(d.Rollups, r)
			}
		}
		combined.SortAllocationRows(d.Allocations)
		combined.SortAllocationRows(d.Rollups)
	}
	if assets != nil {
		d.HasAssets = true
		for key, a := range assets.Assets {
			d.Assets = append(d.Assets, combined.RowFromAsset(key, a))
		}
		sortAssetRows(d.Assets)
	}
	return d
}

// rollups aggregates container allocations by namespace, controller and node. Rollup rows
// keep only the properties their dimension needs (cluster, namespace, controller kind and
// name, node and provider id) and PV and load-balancer totals, not breakdowns: a query that
// needs labels, pods or volumes reads the container rows.
func rollups(allocs *cost.AllocationSet, names []string) []combined.AllocationRow {
	groups := map[[2]string]*cost.Allocation{}
	// scratch is reused for every merge into an existing group (Add copies what it keeps), so
	// only a group's first member allocates.
	var scratch cost.Allocation
	var scratchProps cost.AllocationProperties
	var scratchPV cost.PVAllocation
	scratchPVs := cost.PVAllocations{}
	add := func(dim, name string, a *cost.Allocation, pvBH, pvCost float64) {
		k := [2]string{dim, name}
		if cur, ok := groups[k]; ok {
			fillSeed(&scratch, &scratchProps, a, dim, name)
			clear(scratchPVs)
			if pvBH != 0 || pvCost != 0 {
				scratchPV = cost.PVAllocation{ByteHours: pvBH, Cost: pvCost}
				scratchPVs[cost.PVKey{Cluster: a.Properties.Cluster}] = &scratchPV
				scratch.PVs = scratchPVs
			}
			cur.Add(&scratch)
			cur.Name = name
			return
		}
		seed, props := &cost.Allocation{}, &cost.AllocationProperties{}
		fillSeed(seed, props, a, dim, name)
		if pvBH != 0 || pvCost != 0 {
			seed.PVs = cost.PVAllocations{{Cluster: a.Properties.Cluster}: {ByteHours: pvBH, Cost: pvCost}}
		}
		groups[k] = seed
	}
	for _, name := range names { // name order: equal inputs give equal float sums
		a := allocs.Allocations[name]
		if a.IsIdle() || a.Properties == nil {
			continue
		}
		p := a.Properties
		bh, pc := a.PVByteHours(), a.PVCost()
		add(DimNamespace, p.Namespace, a, bh, pc)
		add(DimController, p.Namespace+"/"+p.GenerateKey([]string{cost.AggController}, cost.LabelConfig{}), a, bh, pc)
		add(DimNode, p.Node, a, bh, pc)
	}
	rows := make([]combined.AllocationRow, 0, len(groups))
	for k, a := range groups {
		r := combined.RowFromAllocation(a)
		r.Dimension = k[0]
		rows = append(rows, r)
	}
	return rows
}

// fillSeed makes c a light copy of a for one rollup dimension: only the dimension's
// properties (into props), no PV, load-balancer or raw-usage detail.
func fillSeed(c *cost.Allocation, props *cost.AllocationProperties, a *cost.Allocation, dim, name string) {
	*c = *a
	c.Name = name
	p := a.Properties
	*props = cost.AllocationProperties{Cluster: p.Cluster}
	switch dim {
	case DimNamespace:
		props.Namespace = p.Namespace
	case DimController:
		props.Namespace, props.ControllerKind, props.Controller = p.Namespace, p.ControllerKind, p.Controller
	case DimNode:
		props.Node, props.ProviderID = p.Node, p.ProviderID
	}
	c.Properties = props
	c.PVs, c.LoadBalancers, c.RawAllocationOnly = nil, nil, nil
}

func sortAssetRows(rows []combined.AssetRow) {
	// insertion into a sorted order by key; asset sets are small (nodes, disks, LBs).
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && rows[j].Key < rows[j-1].Key; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// Encode turns derived rows into the output objects.
func (d DerivedRows) encode() (map[layout.DerivedKind]output, error) {
	outs := map[layout.DerivedKind]output{}
	if d.HasAllocs {
		b, err := combined.WriteRows(d.Allocations)
		if err != nil {
			return nil, err
		}
		outs[layout.DerivedAllocations] = output{data: b, rows: len(d.Allocations)}
		b, err = combined.WriteRows(d.Rollups)
		if err != nil {
			return nil, err
		}
		outs[layout.DerivedRollups] = output{data: b, rows: len(d.Rollups)}
	}
	if d.HasAssets {
		b, err := combined.WriteRows(d.Assets)
		if err != nil {
			return nil, err
		}
		outs[layout.DerivedAssets] = output{data: b, rows: len(d.Assets)}
	}
	return outs, nil
}

// derive builds the outputs of a window from fresh documents and kept (read-back) data.
func (c *Core) derive(ctx context.Context, cluster string, r layout.Resolution, w layout.Window, inputs []*input, man *combined.Manifest, current map[layout.DerivedKind]store.Version) (map[layout.DerivedKind]output, error) {
	var allocs *cost.AllocationSet
	var assets *cost.AssetSet
	for _, in := range inputs {
		switch {
		case in.absent:
		case in.doc != nil && in.kind == layout.Allocations:
			allocs = in.doc.AllocationSet()
		case in.doc != nil && in.kind == layout.Assets:
			assets = in.doc.AssetSet()
		case in.kept && in.kind == layout.Allocations:
			set, err := c.readBackAllocations(ctx, cluster, r, w)
			if err != nil {
				return nil, err
			}
			allocs = set
		case in.kept && in.kind == layout.Assets:
			set, err := c.readBackAssets(ctx, cluster, r, w)
			if err != nil {
				return nil, err
			}
			assets = set
		}
	}
	return DeriveRows(cluster, allocs, assets).encode()
}

func (c *Core) readBack(ctx context.Context, kind layout.DerivedKind, cluster string, r layout.Resolution, w layout.Window) ([]byte, error) {
	key := layout.Derived{Kind: kind, Cluster: cluster, Resolution: r, Window: w}.Key()
	b, _, err := c.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read back %s: %w", key, err)
	}
	return b, nil
}

func (c *Core) readBackAllocations(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AllocationSet, error) {
	b, err := c.readBack(ctx, layout.DerivedAllocations, cluster, r, w)
	if err != nil || b == nil {
		return nil, err
	}
	rows, err := combined.ReadRows[combined.AllocationRow](b)
	if err != nil {
		return nil, err
	}
	set := cost.NewAllocationSet(cost.NewWindow(w.Start, w.End))
	for i := range rows {
		if !rows[i].Idle {
			a := rows[i].Allocation(cluster)
			set.Allocations[a.Name] = a
		}
	}
	return set, nil
}

func (c *Core) readBackAssets(ctx context.Context, cluster string, r layout.Resolution, w layout.Window) (*cost.AssetSet, error) {
	b, err := c.readBack(ctx, layout.DerivedAssets, cluster, r, w)
	if err != nil || b == nil {
		return nil, err
	}
	rows, err := combined.ReadRows[combined.AssetRow](b)
	if err != nil {
		return nil, err
	}
	set := cost.NewAssetSet(cost.NewWindow(w.Start, w.End))
	for i := range rows {
		set.Assets[rows[i].Key] = rows[i].Asset(cluster)
	}
	return set, nil
}
