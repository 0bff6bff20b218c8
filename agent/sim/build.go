package sim

import (
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// Network prices per GiB and how network cost splits (cross-zone, cross-region, internet).
const (
	networkPerGiB       = 0.02
	crossZoneShare      = 0.5
	crossRegionShare    = 0.1
	internetShare       = 0.4
	receiveTransmitRate = 1.5
)

// windowSets builds the allocations and assets of window w from the day's instances, covering
// [w.Start, min(w.End, until)). Records share the instances' properties (read-only).
func (m *clusterModel) windowSets(insts []instance, w cost.Window, until time.Time) (*cost.AllocationSet, *cost.AssetSet) {
	allocs := cost.NewAllocationSet(w)
	assets := cost.NewAssetSet(w)
	end := w.End
	if until.Before(end) {
		end = until
	}
	if !w.Start.Before(end) {
		return allocs, assets
	}
	for i := range insts {
		in := &insts[i]
		s, e := maxTime(in.start, w.Start), minTime(in.end, end)
		if !s.Before(e) {
			continue
		}
		a := m.allocation(in, w, s, e)
		if cur, ok := allocs.Allocations[a.Name]; ok {
			cur.Add(a)
			continue
		}
		allocs.Allocations[a.Name] = a
	}
	if v := m.orphanPV; v != nil {
		h := end.Sub(w.Start).Hours()
		props := &cost.AllocationProperties{Cluster: m.id, Namespace: cost.UnmountedSuffix, Pod: cost.UnmountedSuffix,
			Container: cost.UnmountedSuffix}
		a := &cost.Allocation{Name: props.DefaultName(), Properties: props, Window: w, Start: w.Start, End: end,
			PVs: cost.PVAllocations{{Cluster: m.id, Name: v.name}: {ByteHours: v.gib * gib * h, Cost: v.gib * v.pricePerGiBHour * h}}}
		allocs.Allocations[a.Name] = a
	}
	for _, a := range m.assets(w, end) {
		assets.Assets[a.Key()] = a
	}
	return allocs, assets
}

func (m *clusterModel) allocation(in *instance, w cost.Window, s, e time.Time) *cost.Allocation {
	h := e.Sub(s).Hours()
	c, n := in.c, in.node
	cpuUse := c.cpuReq * c.cpuUse * in.usage
	ramUse := c.ramReq * c.ramUse * in.usage
	a := &cost.Allocation{
		Name: in.name, Properties: in.props, Window: w, Start: s, End: e,
		CPUCoreRequestAverage: c.cpuReq, CPUCoreUsageAverage: cpuUse, CPUCoreHours: max(c.cpuReq, cpuUse) * h,
		RAMBytesRequestAverage: c.ramReq, RAMBytesUsageAverage: ramUse, RAMByteHours: max(c.ramReq, ramUse) * h,
		RawAllocationOnly: &cost.RawAllocationOnlyData{CPUCoreUsageMax: cpuUse * 1.7, RAMBytesUsageMax: ramUse * 1.2},
	}
	a.CPUCost = a.CPUCoreHours * n.cpuPrice * (1 - n.discount)
	a.RAMCost = a.RAMByteHours / gib * n.ramPrice * (1 - n.discount)
	if c.gpus > 0 {
		a.GPURequestAverage, a.GPUUsageAverage, a.GPUHours = c.gpus, c.gpus*0.6*in.usage, c.gpus*h
		a.GPUCost = a.GPUHours * n.gpuPrice
	}
	a.NetworkTransferBytes = c.netBytesPerHour * in.usage * h
	a.NetworkReceiveBytes = a.NetworkTransferBytes * receiveTransmitRate
	a.NetworkCost = a.NetworkTransferBytes / gib * networkPerGiB
	a.NetworkCrossZoneCost = a.NetworkCost * crossZoneShare
	a.NetworkCrossRegionCost = a.NetworkCost * crossRegionShare
	a.NetworkInternetCost = a.NetworkCost * internetShare
	if lb := in.w.lb; lb != nil && in.lbShare > 0 {
		c := lb.perHour * in.lbShare * h
		a.LoadBalancerCost = c
		a.LoadBalancers = cost.LbAllocations{lb.name: {Service: lb.name, Cost: c, Private: lb.private, IP: lb.ip, Hours: h}}
	}
	if v := in.vol; v != nil {
		a.PVs = cost.PVAllocations{{Cluster: m.id, Name: v.name}: {ByteHours: v.gib * gib * h, Cost: v.gib * v.pricePerGiBHour * h}}
	}
	return a
}

// assets lists the cluster's assets over [w.Start, end): nodes with their root disks,
// persistent volumes, load balancers and the managed control plane.
func (m *clusterModel) assets(w cost.Window, end time.Time) []*cost.Asset {
	h := end.Sub(w.Start).Hours()
	base := func(t cost.AssetType, category, name, providerID string) *cost.Asset {
		return &cost.Asset{Type: t, Window: w, Start: w.Start, End: end, Properties: cost.AssetProperties{
			Category: category, Provider: m.prov.name, Account: m.account, Service: "Kubernetes",
			Cluster: m.id, Name: name, ProviderID: providerID}}
	}
	var out []*cost.Asset
	for _, n := range m.nodes {
		a := base(cost.NodeAssetType, cost.ComputeCategory, n.name, n.providerID)
		a.Labels = n.labels
		a.NodeType = n.typ.name
		a.CPUCoreHours = n.typ.cores * h
		a.RAMByteHours = n.typ.ramGiB * gib * h
		a.CPUCost = a.CPUCoreHours * n.cpuPrice
		a.RAMCost = n.typ.ramGiB * h * n.ramPrice
		if n.typ.gpus > 0 {
			a.GPUCount = n.typ.gpus
			a.GPUHours = n.typ.gpus * h
			a.GPUCost = a.GPUHours * n.gpuPrice
		}
		a.Discount = n.discount
		if n.spot {
			a.Preemptible = 1
		}
		a.CPUBreakdown = &cost.Breakdown{Idle: 0.55, System: 0.1, User: 0.35}
		a.RAMBreakdown = &cost.Breakdown{Idle: 0.4, System: 0.15, User: 0.45}
		out = append(out, a)

		d := base(cost.DiskAssetType, cost.StorageCategory, n.name, n.providerID)
		d.Local = 1
		d.ByteHours = n.rootDiskGiB * gib * h
		d.Cost = n.rootDiskGiB * m.prov.diskPerGiBM / 730 * h
		out = append(out, d)
	}
	vols := []*volume{}
	for _, wl := range m.workloads {
		vols = append(vols, wl.volumes...)
		if lb := wl.lb; lb != nil {
			a := base(cost.LoadBalancerAssetType, cost.NetworkCategory, lb.name, lb.ip)
			a.Cost = lb.perHour * h
			a.Private = lb.private
			a.IP = lb.ip
			out = append(out, a)
		}
	}
	if m.orphanPV != nil {
		vols = append(vols, m.orphanPV)
	}
	for _, v := range vols {
		a := base(cost.DiskAssetType, cost.StorageCategory, v.name, v.name)
		a.ByteHours = v.gib * gib * h
		a.Cost = v.gib * v.pricePerGiBHour * h
		a.StorageClass = v.storageClass
		a.VolumeName = v.name
		a.ClaimName = v.claim
		a.ClaimNamespace = v.namespace
		out = append(out, a)
	}
	if m.prov.mgmtPerHour > 0 {
		a := base(cost.ClusterManagementAssetType, cost.ManagementCategory, m.id, "")
		a.Cost = m.prov.mgmtPerHour * h
		out = append(out, a)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
