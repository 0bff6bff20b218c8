package sim

import (
	"fmt"
	"time"

	"github.com/fedcost/fedcost/shared/cost"
)

// instance is one container running over [start, end) on one node at constant rates. The
// instances of a day are a pure function of (model, day).
type instance struct {
	w          *workload
	c          *containerSpec
	node       *node
	props      *cost.AllocationProperties // shared by every window's record; never mutated
	name       string
	start, end time.Time
	usage      float64 // multiplier of the container's usage fractions for this instance
	lbShare    float64 // fraction of the workload's load balancer paid by this instance
	vol        *volume
}

const day = 24 * time.Hour

// dayInstances returns every container instance of the UTC day starting at d.
func (m *clusterModel) dayInstances(d time.Time) []instance {
	dayNum := int(d.Unix() / 86400)
	var out []instance
	end := d.Add(day)
	for wi, w := range m.workloads {
		g := newRNG(m.seed, "day", m.id, itoa(wi), itoa(dayNum))
		switch w.kind {
		case deployment:
			roll := -1 // minute of today's rollout, if any
			if mod(dayNum-w.rollPhase, w.rollPeriod) == 0 {
				roll = 9*60 + g.intn(9*60)
			}
			prev := dayNum - 1 - mod(dayNum-1-w.rollPhase, w.rollPeriod) // last rollout before today
			for i := range w.replicas {
				share := 0.0
				if w.lb != nil {
					share = 1 / float64(w.replicas)
				}
				if roll < 0 {
					out = m.podInstances(out, w, w.slots[i], m.deployPod(w, prev, i), d, end, g, share, nil)
					continue
				}
				cut := d.Add(time.Duration(roll+i) * time.Minute) // replicas roll one by one
				out = m.podInstances(out, w, w.slots[i], m.deployPod(w, prev, i), d, cut, g, share, nil)
				out = m.podInstances(out, w, w.slots[i], m.deployPod(w, dayNum, i), cut, end, g, share, nil)
			}
			for i := range w.extra { // business-hours autoscaling
				up := d.Add(8*time.Hour + time.Duration(g.intn(30))*time.Minute)
				down := d.Add(20*time.Hour + time.Duration(g.intn(60))*time.Minute)
				out = m.podInstances(out, w, w.slots[w.replicas+i], m.deployPod(w, dayNum, w.replicas+i), up, down, g, 0, nil)
			}
		case statefulSet:
			for i := range w.replicas {
				out = m.podInstances(out, w, w.slots[i], fmt.Sprintf("%s-%d", w.name, i), d, end, g, 0, w.volumes[i])
			}
		case daemonSet:
			for ni, n := range m.nodes {
				pod := w.name + "-" + newRNG(m.seed, "ds", m.id, w.name, itoa(ni)).podSuffix()
				out = m.podInstances(out, w, n, pod, d, end, g, 0, nil)
			}
		case job:
			pool := m.jobNodes()
			for r := range w.runsPerDay {
				startMin := g.intn(24 * 60)
				dur := time.Duration(g.logNormal(20, 1, 2, 360)) * time.Minute
				s := d.Add(time.Duration(startMin) * time.Minute)
				e := minTime(s.Add(dur), end)
				sched := s.Unix() / 60
				pod := fmt.Sprintf("%s-%d-%s", w.name, sched, newRNG(m.seed, "job", m.id, w.name, itoa(dayNum), itoa(r)).podSuffix())
				out = m.podInstances(out, w, pool[g.intn(len(pool))], pod, s, e, g, 0, nil)
			}
		}
	}
	return out
}

// jobNodes are the spot nodes, or every general node when the cluster has no spot pool.
func (m *clusterModel) jobNodes() []*node {
	var spot, general []*node
	for _, n := range m.nodes {
		switch {
		case n.spot:
			spot = append(spot, n)
		case n.typ.gpus == 0:
			general = append(general, n)
		}
	}
	if len(spot) > 0 {
		return spot
	}
	return general
}

// deployPod names replica i of a deployment's template revision (the day of its rollout).
func (m *clusterModel) deployPod(w *workload, rev, i int) string {
	tmpl := newRNG(m.seed, "tmpl", m.id, w.ns.name, w.name, itoa(rev))
	hash := tmpl.podSuffix() + tmpl.podSuffix()[:5]
	return w.name + "-" + hash + "-" + newRNG(m.seed, "pod", m.id, w.ns.name, w.name, itoa(rev), itoa(i)).podSuffix()
}

func (m *clusterModel) podInstances(out []instance, w *workload, n *node, pod string, s, e time.Time, g rng, lbShare float64, vol *volume) []instance {
	if !s.Before(e) {
		return out
	}
	labels := w.labels
	if w.kind == deployment {
		labels = make(map[string]string, len(w.labels)+1)
		for k, v := range w.labels {
			labels[k] = v
		}
		labels["pod_template_hash"] = pod[len(w.name)+1 : len(pod)-6]
	}
	for ci := range w.containers {
		c := &w.containers[ci]
		props := &cost.AllocationProperties{
			Cluster: m.id, Node: n.name, Container: c.name, Controller: w.name, ControllerKind: string(w.kind),
			Namespace: w.ns.name, Pod: pod, Services: w.services, ProviderID: n.providerID,
			Labels: labels, Annotations: w.annotations,
			NamespaceLabels: w.ns.labels, NamespaceAnnotations: w.ns.annotations,
		}
		inst := instance{w: w, c: c, node: n, props: props, name: props.DefaultName(), start: s, end: e,
			usage: g.between(0.8, 1.2)}
		if ci == 0 { // the main container pays for the load balancer and the volume
			inst.lbShare = lbShare
			inst.vol = vol
		}
		out = append(out, inst)
	}
	return out
}

func mod(a, b int) int {
	if b <= 0 {
		return 0
	}
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}
