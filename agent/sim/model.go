package sim

import (
	"fmt"
	"math"
)

// clusterModel is the static part of a simulated cluster: what runs where, at what price.
// It depends only on (seed, cluster id, containers per day).
type clusterModel struct {
	id         string
	seed       int64
	prov       *provider
	region     string
	account    string
	env        string
	nodes      []*node
	namespaces []*namespace
	workloads  []*workload
	orphanPV   *volume // a volume no pod mounts (unmounted cost), or nil
}

type node struct {
	name, providerID, zone string
	typ                    nodeType
	spot                   bool
	discount               float64
	// List prices per core-hour, GiB-hour and GPU-hour (spot already applied). Allocations
	// pay the discounted price, so allocated + idle equals the node's total cost.
	cpuPrice, ramPrice, gpuPrice float64
	labels                       map[string]string
	rootDiskGiB                  float64
	usedCPU                      float64 // requests placed (sizing only)
}

type namespace struct {
	name, team  string
	labels      map[string]string
	annotations map[string]string
}

type workloadKind string

const (
	deployment  workloadKind = "deployment"
	statefulSet workloadKind = "statefulset"
	daemonSet   workloadKind = "daemonset"
	job         workloadKind = "job"
)

type workload struct {
	ns          *namespace
	name        string
	kind        workloadKind
	replicas    int // base replicas (deployments, statefulsets)
	extra       int // autoscaled replicas during business hours (deployments)
	containers  []containerSpec
	slots       []*node // node per base replica; then per extra replica
	rollPeriod  int     // days between rollouts (deployments)
	rollPhase   int
	runsPerDay  int // jobs
	lb          *loadBalancer
	volumes     []*volume // statefulsets: one per replica
	labels      map[string]string
	annotations map[string]string
	services    []string
}

type containerSpec struct {
	name            string
	cpuReq, ramReq  float64 // cores, bytes
	cpuUse, ramUse  float64 // usage as a fraction of the request
	netBytesPerHour float64
	gpus            float64
}

type loadBalancer struct {
	name, ip string
	private  bool
	perHour  float64
}

type volume struct {
	name, claim, namespace, storageClass string
	gib, pricePerGiBHour                 float64
}

const gib = 1 << 30

// newClusterModel builds the cluster. containers is the average number of containers per day
// across the fleet; the cluster's own size is skewed around it.
func newClusterModel(seed int64, id string, containers int) *clusterModel {
	g := newRNG(seed, "cluster", id)
	m := &clusterModel{id: id, seed: seed}
	pi := g.intn(10)
	switch {
	case pi < 5:
		m.prov = &catalogProviders[0]
	case pi < 8:
		m.prov = &catalogProviders[1]
	default:
		m.prov = &catalogProviders[2]
	}
	m.region = m.prov.regions[g.intn(len(m.prov.regions))]
	m.account = fmt.Sprintf("%012d", g.intn(1_000_000_000_000))
	m.env = environments[g.intn(len(environments))]

	// Skewed cluster size with mean ≈ 1: e^(σN) has mean e^(σ²/2).
	const sigma = 0.8
	factor := g.logNormal(1, sigma, 0.1, 12) / math.Exp(sigma*sigma/2)
	target := max(4, int(math.Round(float64(containers)*factor)))

	nsCount := min(len(catalogNamespaces), 2+target/12)
	for i := range nsCount {
		m.namespaces = append(m.namespaces, m.newNamespace(catalogNamespaces[i]))
	}
	sys := m.newNamespace(kubeSystem)
	mon := m.newNamespace(monitoring)

	// System workloads first, then applications until the cluster reaches its size.
	m.add(g, sys, "coredns", deployment, 2, 0, 0.1, 70<<20)
	m.add(g, sys, "metrics-server", deployment, 1, 0, 0.1, 200<<20)
	m.add(g, mon, "prometheus", statefulSet, 1, 0, 1, 4*gib)
	m.add(g, mon, "grafana", deployment, 1, 0, 0.2, 256<<20)
	count := 0
	for _, w := range m.workloads {
		count += w.replicas * len(w.containers)
	}
	perApp := map[string]int{}
	for count < target {
		ns := m.namespaces[g.zipf(len(m.namespaces), 1.1)]
		spec := namespaceSpecOf(ns.name)
		app := spec.apps[g.intn(len(spec.apps))]
		perApp[ns.name+"/"+app]++
		if n := perApp[ns.name+"/"+app]; n > 1 {
			app = fmt.Sprintf("%s-%d", app, n)
		}
		cpu := g.logNormal(0.25, 1.0, 0.02, 8)
		ram := g.logNormal(512<<20, 1.0, 32<<20, 32*gib)
		var w *workload
		switch k := g.float(); {
		case k < 0.66:
			w = m.add(g, ns, app, deployment, int(g.logNormal(2, 0.9, 1, 40)), 0, cpu, ram)
			if g.chance(0.25) {
				w.extra = int(math.Ceil(float64(w.replicas) * g.between(0.3, 1)))
			}
		case k < 0.80:
			w = m.add(g, ns, app, statefulSet, 1+g.intn(4), 0, cpu, ram)
		default:
			w = m.add(g, ns, app+"-cron", job, 0, 1+g.intn(12), cpu*2, ram)
		}
		count += (w.replicas + w.extra + w.runsPerDay) * len(w.containers)
	}
	if g.chance(0.15) {
		ns := m.namespaces[g.intn(len(m.namespaces))]
		w := m.add(g, ns, "gpu-inference", deployment, 1+g.intn(2), 0, 2, 8*gib)
		w.containers[0].gpus = 1
	}
	m.add(g, sys, "kube-proxy", daemonSet, 0, 0, 0.1, 64<<20)
	m.add(g, mon, "node-exporter", daemonSet, 0, 0, 0.05, 32<<20)

	m.sizeNodes(g)
	m.place(g)
	m.attach(g)
	return m
}

func namespaceSpecOf(name string) namespaceSpec {
	for _, s := range catalogNamespaces {
		if s.name == name {
			return s
		}
	}
	return kubeSystem
}

func (m *clusterModel) newNamespace(s namespaceSpec) *namespace {
	return &namespace{
		name: s.name, team: s.team,
		labels: map[string]string{"kubernetes_io_metadata_name": s.name, "team": s.team, "env": m.env},
		annotations: map[string]string{
			"owner":                  s.team + "@example.com",
			"fedcost_io_cost_center": "cc-" + fmt.Sprint(len(s.team)*137%1000),
		},
	}
}

// add appends a workload with its containers: the main one (cpu cores, ram bytes requested)
// and sometimes sidecars.
func (m *clusterModel) add(g rng, ns *namespace, name string, kind workloadKind, replicas, runs int, cpu, ram float64) *workload {
	w := &workload{ns: ns, name: name, kind: kind, replicas: replicas, runsPerDay: runs}
	w.containers = append(w.containers, containerSpec{
		name: shortName(name), cpuReq: round3(cpu), ramReq: math.Round(ram/(1<<20)) * (1 << 20),
		cpuUse: g.between(0.05, 1.3), ramUse: g.between(0.3, 1.05),
		netBytesPerHour: g.logNormal(40<<20, 1.2, 1<<20, 20*gib),
	})
	if kind != daemonSet && g.chance(0.3) {
		s := sidecars[g.intn(len(sidecars))]
		w.containers = append(w.containers, containerSpec{
			name: s, cpuReq: 0.05, ramReq: 64 << 20, cpuUse: g.between(0.1, 0.9), ramUse: g.between(0.4, 0.9),
			netBytesPerHour: g.logNormal(5<<20, 1, 1<<20, 1*gib),
		})
	}
	w.labels = map[string]string{"app": name, "team": ns.team, "env": m.env, "app_kubernetes_io_name": name,
		"app_kubernetes_io_part_of": ns.name}
	w.annotations = map[string]string{"fedcost_io_owner": ns.team + "@example.com"}
	if kind == deployment || kind == statefulSet {
		w.services = []string{name}
	}
	if kind == deployment {
		periods := []int{1, 2, 3, 7, 14}
		w.rollPeriod = periods[g.intn(len(periods))]
		w.rollPhase = g.intn(w.rollPeriod)
	}
	m.workloads = append(m.workloads, w)
	return w
}

func shortName(s string) string {
	if i := len(s) - len("-cron"); i > 0 && s[i:] == "-cron" {
		return s[:i]
	}
	return s
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// sizeNodes picks node types and counts so that requests fill 55–85% of the on-demand pool
// (the rest is idle), adds a spot pool for jobs in some clusters and a GPU node when needed.
func (m *clusterModel) sizeNodes(g rng) {
	var cpu, ram, gpus, jobCPU float64
	for _, w := range m.workloads {
		for _, c := range w.containers {
			switch w.kind {
			case job:
				jobCPU += c.cpuReq
			case deployment, statefulSet:
				n := float64(w.replicas + w.extra)
				if c.gpus > 0 {
					gpus += n
					continue
				}
				cpu += c.cpuReq * n
				ram += c.ramReq * n
			}
		}
	}
	types := m.prov.nodeTypes
	ti := min(len(types)-1, int(math.Log2(1+cpu/6)))
	t := types[ti]
	util := g.between(0.55, 0.85)
	n := int(math.Ceil(max(cpu/(t.cores*util), ram/(t.ramGiB*gib*util))))
	n = max(n, 2)
	zones := []string{"a", "b", "c"}
	discount := 0.0
	if g.chance(0.4) {
		discount = round3(g.between(0.1, 0.3)) // savings plan / committed use
	}
	for i := range n {
		m.nodes = append(m.nodes, m.newNode(g, t, "default", zones[i%3], false, discount, i))
	}
	if jobCPU > 0 && g.chance(0.5) {
		k := max(1, int(math.Ceil(jobCPU/(t.cores*0.6))))
		for i := range k {
			m.nodes = append(m.nodes, m.newNode(g, t, "spot", zones[i%3], true, 0, i))
		}
	}
	for i := range int(gpus) {
		m.nodes = append(m.nodes, m.newNode(g, m.prov.gpuType, "gpu", zones[i%3], false, 0, i))
	}
}

func (m *clusterModel) newNode(g rng, t nodeType, pool, zone string, spot bool, discount float64, i int) *node {
	price := t.perHour
	gpuPrice := t.gpuPerHr
	if spot {
		price *= m.prov.spotFactor
		gpuPrice *= m.prov.spotFactor
	}
	weight := t.cores*defaultCPUHourly + t.ramGiB*defaultRAMHourly
	n := &node{
		typ: t, spot: spot, discount: discount, zone: m.region + zone,
		cpuPrice: price * defaultCPUHourly / weight, ramPrice: price * defaultRAMHourly / weight, gpuPrice: gpuPrice,
		rootDiskGiB: 100,
	}
	host := g.hexID(8)
	switch m.prov.name {
	case "AWS":
		n.name = fmt.Sprintf("ip-10-%d-%d-%d.%s.compute.internal", g.intn(256), g.intn(256), g.intn(256), m.region)
		n.providerID = m.prov.idPrefix + n.zone + "/i-0" + g.hexID(16)
	case "GCP":
		n.name = fmt.Sprintf("gke-%s-%s-%s-%s", m.id, pool, host, g.podSuffix()[:4])
		n.providerID = m.prov.idPrefix + "proj-" + m.account[:6] + "/" + n.zone + "/" + n.name
	default:
		n.name = fmt.Sprintf("aks-%s-%s-vmss%06d", pool, host, i)
		n.providerID = m.prov.idPrefix + m.account + "/resourceGroups/mc_" + m.id + "/providers/Microsoft.Compute/virtualMachineScaleSets/aks-" + pool + "/virtualMachines/" + itoa(i)
	}
	n.labels = map[string]string{
		"label_node_kubernetes_io_instance_type": t.name,
		"label_topology_kubernetes_io_region":    m.region,
		"label_topology_kubernetes_io_zone":      n.zone,
		"label_kubernetes_io_os":                 "linux",
		"label_fedcost_io_pool":                  pool,
	}
	if spot {
		n.labels["label_node_kubernetes_io_lifecycle"] = "spot"
	}
	return n
}

// place assigns every replica slot to a node: the less loaded of two random general-purpose
// nodes (GPU workloads to GPU nodes).
func (m *clusterModel) place(g rng) {
	var general, gpuNodes []*node
	for _, n := range m.nodes {
		switch {
		case n.typ.gpus > 0:
			gpuNodes = append(gpuNodes, n)
		case !n.spot:
			general = append(general, n)
		}
	}
	gi := 0
	for _, w := range m.workloads {
		if w.kind == daemonSet || w.kind == job {
			continue
		}
		var req float64
		for _, c := range w.containers {
			req += c.cpuReq
		}
		gpu := len(w.containers) > 0 && w.containers[0].gpus > 0
		for range w.replicas + w.extra {
			if gpu && len(gpuNodes) > 0 {
				w.slots = append(w.slots, gpuNodes[gi%len(gpuNodes)])
				gi++
				continue
			}
			a, b := general[g.intn(len(general))], general[g.intn(len(general))]
			if b.usedCPU/b.typ.cores < a.usedCPU/a.typ.cores {
				a = b
			}
			a.usedCPU += req
			w.slots = append(w.slots, a)
		}
	}
}

// attach adds load balancers and persistent volumes.
func (m *clusterModel) attach(g rng) {
	diskHourly := m.prov.diskPerGiBM / 730
	for _, w := range m.workloads {
		switch w.kind {
		case deployment:
			if w.ns.name != kubeSystem.name && g.chance(0.12) {
				w.lb = &loadBalancer{name: w.ns.name + "/" + w.name, perHour: m.prov.lbPerHour,
					private: g.chance(0.3), ip: fmt.Sprintf("203.0.%d.%d", g.intn(256), 1+g.intn(254))}
			}
		case statefulSet:
			size := math.Round(g.logNormal(50, 1, 5, 2000))
			class := map[string]string{"AWS": "gp3", "GCP": "standard-rwo", "Azure": "managed-csi"}[m.prov.name]
			for i := range w.replicas {
				claim := fmt.Sprintf("data-%s-%d", w.name, i)
				w.volumes = append(w.volumes, &volume{name: "pvc-" + uuidFrom(g), claim: claim, namespace: w.ns.name,
					storageClass: class, gib: size, pricePerGiBHour: diskHourly})
			}
		}
	}
	if g.chance(0.3) {
		m.orphanPV = &volume{name: "pvc-" + uuidFrom(g), claim: "old-data", namespace: m.namespaces[0].name,
			storageClass: "standard", gib: math.Round(g.between(10, 500)), pricePerGiBHour: diskHourly}
	}
}

// uuidFrom draws a version-4-shaped UUID from the stream.
func uuidFrom(g rng) string {
	h := g.hexID(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}
