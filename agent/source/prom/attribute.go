package prom

import (
	"slices"
	"strings"

	"github.com/fedcost/fedcost/shared/cost"
)

// pvPrice is pv_hourly_cost (per GiB-hour) when present, else the pricing file's storage price.
func (a *assembler) pvPrice(v *pvData) float64 {
	if v.price != nil {
		return *v.price
	}
	return a.table.StorageGiBHour
}

// lbPrice is kubecost_load_balancer_cost (per hour) when present, else the pricing file's.
func (a *assembler) lbPrice(l *lbData) float64 {
	if l.price != nil {
		return *l.price
	}
	return a.table.LoadBalancerHourly
}

// unmountedAlloc returns (creating it) the pseudo-allocation holding the costs no pod carries:
// per namespace <cluster>//<ns>/<ns>-unmounted-pvcs/__unmounted__ for claimed but unmounted
// volumes, and <cluster>//__unmounted__/__unmounted__/__unmounted__ (ns "") for unclaimed
// volumes and load balancers without pods (OpenCost's names).
func (a *assembler) unmountedAlloc(m map[string]*cost.Allocation, ns string) *cost.Allocation {
	if u := m[ns]; u != nil {
		return u
	}
	props := &cost.AllocationProperties{Cluster: a.cluster, Container: cost.UnmountedSuffix}
	if ns == "" {
		props.Namespace, props.Pod = cost.UnmountedSuffix, cost.UnmountedSuffix
	} else {
		props.Namespace, props.Pod = ns, ns+"-unmounted-pvcs"
	}
	u := &cost.Allocation{Name: props.DefaultName(), Properties: props, Window: a.win, Start: a.start, End: a.end}
	m[ns] = u
	return u
}

// attributePVs gives every volume's cost to the running pods that mount its claim: each pod
// carries capacity × its running hours (at most the volume's hours) × price, divided by the
// number of pods mounting the claim. A volume no running pod mounts goes to the unmounted
// allocation of its claim's namespace, or to the cluster's if it has no claim.
func (a *assembler) attributePVs(share func(nsName) *podShare, unmounted map[string]*cost.Allocation) {
	mounts := map[string][]nsName{}
	for k, p := range a.r.pods {
		if a.podHours(p) == 0 {
			continue
		}
		claims := slices.Clone(p.pvcs)
		slices.Sort(claims)
		for _, claim := range slices.Compact(claims) {
			c := a.r.pvcs[nsName{k.ns, claim}]
			if c == nil || c.volume == "" {
				continue
			}
			if v := a.r.pvs[c.volume]; v == nil || v.steps == 0 {
				continue
			}
			mounts[c.volume] = append(mounts[c.volume], k)
		}
	}
	claimOf := map[string]nsName{}
	for k, c := range a.r.pvcs {
		if c.volume != "" {
			claimOf[c.volume] = k
		}
	}
	for name, v := range a.r.pvs {
		if v.steps == 0 {
			continue
		}
		price := a.pvPrice(v)
		pvHours := a.stepHours(v.steps)
		key := cost.PVKey{Cluster: a.cluster, Name: name}
		pods := mounts[name]
		if len(pods) == 0 {
			u := a.unmountedAlloc(unmounted, claimOf[name].ns)
			if u.PVs == nil {
				u.PVs = cost.PVAllocations{}
			}
			bh := v.bytes * pvHours
			u.PVs[key] = &cost.PVAllocation{ByteHours: bh, Cost: bh / gib * price, ProviderID: v.providerID}
			continue
		}
		n := float64(len(pods))
		for _, pk := range pods {
			bh := v.bytes * min(a.podHours(a.r.pods[pk]), pvHours) / n
			sh := share(pk)
			if sh.pvs == nil {
				sh.pvs = cost.PVAllocations{}
			}
			sh.pvs[key] = &cost.PVAllocation{ByteHours: bh, Cost: bh / gib * price, ProviderID: v.providerID}
		}
	}
}

// attributeLBs spreads every LoadBalancer service's cost (price × its hours) over the pods
// behind the service (by endpoint IP) in proportion to their running hours. A load balancer
// without pods goes to the cluster's unmounted allocation.
func (a *assembler) attributeLBs(shares map[nsName]*podShare, unmounted map[string]*cost.Allocation) {
	bySvc := map[nsName][]nsName{}
	for pk, sh := range shares {
		for _, svc := range sh.services {
			bySvc[nsName{pk.ns, svc}] = append(bySvc[nsName{pk.ns, svc}], pk)
		}
	}
	for k, pods := range bySvc {
		// Deterministic order: the float sums below do not depend on map iteration.
		slices.SortFunc(pods, func(x, y nsName) int { return strings.Compare(x.ns+"/"+x.name, y.ns+"/"+y.name) })
		bySvc[k] = pods
	}
	for k, l := range a.r.lbs {
		if l.steps == 0 {
			continue
		}
		hours := a.stepHours(l.steps)
		total := a.lbPrice(l) * hours
		key := k.ns + "/" + k.name
		var sum float64
		for _, pk := range bySvc[k] {
			sum += a.podHours(a.r.pods[pk])
		}
		if sum == 0 {
			u := a.unmountedAlloc(unmounted, "")
			if u.LoadBalancers == nil {
				u.LoadBalancers = cost.LbAllocations{}
			}
			u.LoadBalancers[key] = &cost.LbAllocation{Service: key, Cost: total, IP: l.ip, Hours: hours}
			u.LoadBalancerCost += total
			continue
		}
		for _, pk := range bySvc[k] {
			h := a.podHours(a.r.pods[pk])
			if h == 0 {
				continue
			}
			sh := shares[pk]
			c := total * h / sum
			if sh.lbs == nil {
				sh.lbs = cost.LbAllocations{}
			}
			sh.lbs[key] = &cost.LbAllocation{Service: key, Cost: c, IP: l.ip, Hours: h}
			sh.lbCost += c
		}
	}
}
