package prom

import (
	"github.com/fedcost/fedcost/shared/cost"
)

// Asset property values for Kubernetes-measured assets.
const (
	kubernetesService     = "Kubernetes"
	clusterManagementName = "cluster-management"
)

func (a *assembler) props(category, name, providerID string) cost.AssetProperties {
	return cost.AssetProperties{
		Category: category, Provider: a.table.Provider, Service: kubernetesService,
		Cluster: a.cluster, Name: name, ProviderID: providerID,
	}
}

// addNodes adds a Node asset per node seen in the window: capacity × hours, priced per node
// (metric > instance type > spot/on-demand). Asset labels keep kube-state-metrics' "label_"
// prefix (OpenCost's asset label form).
func (a *assembler) addNodes(set *cost.AssetSet) {
	for name, n := range a.r.nodes {
		if n.steps == 0 || name == "" {
			continue
		}
		hours := a.stepHours(n.steps)
		s, e := a.span(n.presence)
		np := a.pricesOf(name)
		node := &cost.Asset{
			Type: cost.NodeAssetType, Properties: a.props(cost.ComputeCategory, name, n.providerID),
			Labels: nodeAssetLabels(n.labels), Window: a.win, Start: s, End: e,
			NodeType:     np.InstanceType,
			CPUCoreHours: n.cpu * hours, RAMByteHours: n.ram * hours, GPUHours: n.gpu * hours, GPUCount: n.gpu,
		}
		node.CPUCost = node.CPUCoreHours * np.CPU
		node.RAMCost = node.RAMByteHours / gib * np.RAM
		node.GPUCost = node.GPUHours * np.GPU
		if np.Spot {
			node.Preemptible = 1
		}
		set.Insert(node.Key(), node)
	}
}

func nodeAssetLabels(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out["label_"+k] = v
	}
	return out
}

// addDisks adds a Disk asset per persistent volume: capacity × hours × price per GiB-hour.
func (a *assembler) addDisks(set *cost.AssetSet) {
	claimOf := map[string]nsName{}
	for k, c := range a.r.pvcs {
		if c.volume != "" {
			claimOf[c.volume] = k
		}
	}
	for name, v := range a.r.pvs {
		if v.steps == 0 || name == "" {
			continue
		}
		hours := a.stepHours(v.steps)
		s, e := a.span(v.presence)
		claim := claimOf[name]
		sc := v.storageClass
		if sc == "" && claim.name != "" {
			sc = a.r.pvcs[claim].storageClass
		}
		d := &cost.Asset{
			Type: cost.DiskAssetType, Properties: a.props(cost.StorageCategory, name, v.providerID),
			Window: a.win, Start: s, End: e,
			ByteHours: v.bytes * hours, Cost: v.bytes / gib * hours * a.pvPrice(v),
			StorageClass: sc, VolumeName: name, ClaimName: claim.name, ClaimNamespace: claim.ns,
		}
		set.Insert(d.Key(), d)
	}
}

// addLBs adds a LoadBalancer asset per LoadBalancer service, named <namespace>/<service>.
func (a *assembler) addLBs(set *cost.AssetSet) {
	for k, l := range a.r.lbs {
		if l.steps == 0 {
			continue
		}
		s, e := a.span(l.presence)
		lb := &cost.Asset{
			Type: cost.LoadBalancerAssetType, Properties: a.props(cost.NetworkCategory, k.ns+"/"+k.name, ""),
			Window: a.win, Start: s, End: e, Cost: a.lbPrice(l) * a.stepHours(l.steps), IP: l.ip,
		}
		set.Insert(lb.Key(), lb)
	}
}

// addClusterManagement adds the control plane's cost (pricing: clusterManagement per hour)
// over the queried part of the window; nothing when that price is 0.
func (a *assembler) addClusterManagement(set *cost.AssetSet) {
	p := a.table.ClusterManagementHourly
	if p <= 0 {
		return
	}
	cm := &cost.Asset{
		Type: cost.ClusterManagementAssetType, Properties: a.props(cost.ManagementCategory, clusterManagementName, ""),
		Window: a.win, Start: a.start, End: a.end, Cost: p * a.end.Sub(a.start).Hours(),
	}
	set.Insert(cm.Key(), cm)
}
