package prom

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// Limits of the upload format (shared/etl): longer label keys or values are dropped, and a
// record keeps at most maxLabels labels (the first by key), so one odd label never makes a
// whole window's upload refused.
const (
	maxLabelBytes = 4096
	maxLabels     = 1024
)

// raw is what the queries of one window returned, reduced to one record per container, pod,
// node, volume and service. Query results are merged into it as they arrive (under mu).
type raw struct {
	mu sync.Mutex

	pods      map[nsName]*podData
	endpoints map[nsName][]string // namespace+ip → endpoint (service) names
	rsOwner   map[nsName]owner    // namespace+replicaset → owner
	jobOwner  map[nsName]owner    // namespace+job → owner
	nsLabels  map[string]map[string]string
	nsAnnos   map[string]map[string]string
	nodes     map[string]*nodeData
	pvs       map[string]*pvData
	pvcs      map[nsName]*pvcData
	lbs       map[nsName]*lbData
}

type nsName struct{ ns, name string }

type owner struct{ kind, name string }

type presence struct {
	steps       float64
	first, last float64 // unix seconds of the first and last step
}

type containerData struct {
	presence
	cpuReq, ramReq, gpuReq float64
	cpuUse, cpuMax         float64
	ramUse, ramMax         float64
}

type podData struct {
	uid, node, ip string
	hostNetwork   bool
	owner         owner
	labels        map[string]string
	annotations   map[string]string
	pvcs          []string
	rx, tx        float64
	containers    map[string]*containerData
}

type nodeData struct {
	presence
	cpu, ram, gpu                float64 // capacity averages: cores, bytes, devices
	labels                       map[string]string
	providerID                   string
	cpuPrice, ramPrice, gpuPrice *float64 // OpenCost pricing metrics, when present
}

type pvData struct {
	presence
	bytes        float64
	storageClass string
	providerID   string   // the cloud volume id kube-state-metrics reports, if any
	price        *float64 // pv_hourly_cost per GiB-hour, when present
}

type pvcData struct {
	volume, storageClass string
}

type lbData struct {
	presence
	ip    string
	price *float64 // kubecost_load_balancer_cost per hour, when present
}

func newRaw() *raw {
	return &raw{
		pods: map[nsName]*podData{}, endpoints: map[nsName][]string{},
		rsOwner: map[nsName]owner{}, jobOwner: map[nsName]owner{},
		nsLabels: map[string]map[string]string{}, nsAnnos: map[string]map[string]string{},
		nodes: map[string]*nodeData{}, pvs: map[string]*pvData{}, pvcs: map[nsName]*pvcData{},
		lbs: map[nsName]*lbData{},
	}
}

func (r *raw) pod(m labels) *podData {
	k := nsName{m.get("namespace"), m.get("pod")}
	p := r.pods[k]
	if p == nil {
		p = &podData{containers: map[string]*containerData{}}
		r.pods[k] = p
	}
	return p
}

func (r *raw) container(m labels) *containerData {
	p := r.pod(m)
	c := p.containers[m.get("container")]
	if c == nil {
		c = &containerData{}
		p.containers[m.get("container")] = c
	}
	return c
}

func (r *raw) node(name string) *nodeData {
	n := r.nodes[name]
	if n == nil {
		n = &nodeData{}
		r.nodes[name] = n
	}
	return n
}

func (r *raw) pv(name string) *pvData {
	v := r.pvs[name]
	if v == nil {
		v = &pvData{}
		r.pvs[name] = v
	}
	return v
}

func (r *raw) lb(k nsName) *lbData {
	v := r.lbs[k]
	if v == nil {
		v = &lbData{}
		r.lbs[k] = v
	}
	return v
}

func setPresence(p *presence, q string, v float64) {
	switch {
	case strings.HasSuffix(q, "_steps"):
		p.steps = v
	case strings.HasSuffix(q, "_first"):
		p.first = v
	case strings.HasSuffix(q, "_last"):
		p.last = v
	}
}

// prefixed returns the labels of m that start with prefix, with the prefix removed
// (label_app → app, as OpenCost does), within the upload limits. nil when there are none.
func prefixed(m labels, prefix string) map[string]string {
	var keep labels
	for _, p := range m {
		if rest, ok := strings.CutPrefix(p.Name, prefix); ok && rest != "" && len(rest) <= maxLabelBytes && len(p.Value) <= maxLabelBytes {
			keep = append(keep, labelPair{rest, p.Value})
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if len(keep) > maxLabels {
		slices.SortFunc(keep, func(a, b labelPair) int { return strings.Compare(a.Name, b.Name) })
		keep = keep[:maxLabels]
	}
	out := make(map[string]string, len(keep))
	for _, p := range keep {
		out[p.Name] = p.Value
	}
	return out
}

// apply merges one sample of query q into r. Samples missing the labels a query groups by
// (e.g. a cAdvisor series without a pod) and values that are not finite and non-negative
// (no count, byte size, rate or price is negative) are ignored.
func (r *raw) apply(q string, m labels, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch q {
	case qRunSteps, qRunFirst, qRunLast, qCPUReq, qRAMReq, qGPUReq, qCPUUse, qCPUMax, qRAMUse, qRAMMax:
		if m.get("namespace") == "" || m.get("pod") == "" || m.get("container") == "" {
			return
		}
		c := r.container(m)
		switch q {
		case qCPUReq:
			c.cpuReq = v
		case qRAMReq:
			c.ramReq = v
		case qGPUReq:
			c.gpuReq = v
		case qCPUUse:
			c.cpuUse = v
		case qCPUMax:
			c.cpuMax = v
		case qRAMUse:
			c.ramUse = v
		case qRAMMax:
			c.ramMax = v
		default:
			setPresence(&c.presence, q, v)
		}
	case qNetRx, qNetTx, qPodInfo, qPodOwner, qPodLabel, qPodAnno, qPodPVC:
		if m.get("namespace") == "" || m.get("pod") == "" {
			return
		}
		p := r.pod(m)
		switch q {
		case qNetRx:
			p.rx += v
		case qNetTx:
			p.tx += v
		case qPodInfo:
			// A pod name reused within the window (StatefulSet) has several uids: keep the
			// greatest uid for determinism.
			if p.node == "" || m.get("uid") > p.uid {
				p.uid, p.node, p.ip, p.hostNetwork = m.get("uid"), m.get("node"), m.get("pod_ip"), m.get("host_network") == "true"
			}
		case qPodOwner:
			o := owner{m.get("owner_kind"), m.get("owner_name")}
			if p.owner.kind == "" || p.owner.kind == "<none>" || (o.kind != "<none>" && o.kind+o.name < p.owner.kind+p.owner.name) {
				p.owner = o
			}
		case qPodLabel:
			p.labels = mergeLabels(p.labels, prefixed(m, "label_"))
		case qPodAnno:
			p.annotations = mergeLabels(p.annotations, prefixed(m, "annotation_"))
		case qPodPVC:
			if c := m.get("persistentvolumeclaim"); c != "" {
				p.pvcs = append(p.pvcs, c)
			}
		}
	case qEndpoints:
		if m.get("ip") != "" && m.get("endpoint") != "" {
			k := nsName{m.get("namespace"), m.get("ip")}
			r.endpoints[k] = append(r.endpoints[k], m.get("endpoint"))
		}
	case qRSOwner:
		r.rsOwner[nsName{m.get("namespace"), m.get("replicaset")}] = owner{m.get("owner_kind"), m.get("owner_name")}
	case qJobOwner:
		r.jobOwner[nsName{m.get("namespace"), m.get("job_name")}] = owner{m.get("owner_kind"), m.get("owner_name")}
	case qNSLabel:
		r.nsLabels[m.get("namespace")] = mergeLabels(r.nsLabels[m.get("namespace")], prefixed(m, "label_"))
	case qNSAnno:
		r.nsAnnos[m.get("namespace")] = mergeLabels(r.nsAnnos[m.get("namespace")], prefixed(m, "annotation_"))
	case qNodeSteps, qNodeFirst, qNodeLast:
		setPresence(&r.node(m.get("node")).presence, q, v)
	case qNodeCap:
		n := r.node(m.get("node"))
		switch m.get("resource") {
		case "cpu":
			n.cpu = v
		case "memory":
			n.ram = v
		default:
			n.gpu += v
		}
	case qNodeLabel:
		n := r.node(m.get("node"))
		n.labels = mergeLabels(n.labels, prefixed(m, "label_"))
	case qNodeInfo:
		r.node(m.get("node")).providerID = m.get("provider_id")
	case qNodeCPU, qNodeRAM, qNodeGPU:
		n := r.node(m.get("node"))
		p := v
		switch q {
		case qNodeCPU:
			n.cpuPrice = &p
		case qNodeRAM:
			n.ramPrice = &p
		default:
			n.gpuPrice = &p
		}
	case qPVSteps, qPVFirst, qPVLast:
		setPresence(&r.pv(m.get("persistentvolume")).presence, q, v)
	case qPVCap:
		r.pv(m.get("persistentvolume")).bytes = v
	case qPVInfo:
		v := r.pv(m.get("persistentvolume"))
		v.storageClass = m.get("storageclass")
		for _, id := range []string{"csi_volume_handle", "ebs_volume_id", "gce_persistent_disk_name", "azure_disk_name"} {
			if x := m.get(id); x != "" {
				v.providerID = x
				break
			}
		}
	case qPVPrice:
		p := v
		r.pv(m.get("persistentvolume")).price = &p
	case qPVCInfo:
		r.pvcs[nsName{m.get("namespace"), m.get("persistentvolumeclaim")}] = &pvcData{volume: m.get("volumename"), storageClass: m.get("storageclass")}
	case qLBSteps, qLBFirst, qLBLast:
		setPresence(&r.lb(nsName{m.get("namespace"), m.get("service")}).presence, q, v)
	case qLBIngress:
		l := r.lb(nsName{m.get("namespace"), m.get("service")})
		if ip := m.get("ip"); ip != "" && (l.ip == "" || ip < l.ip) {
			l.ip = ip
		} else if l.ip == "" {
			l.ip = m.get("hostname")
		}
	case qLBPrice:
		p := v
		r.lb(nsName{m.get("namespace"), m.get("service_name")}).price = &p
	}
}

func mergeLabels(dst, src map[string]string) map[string]string {
	if dst == nil {
		return src
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
