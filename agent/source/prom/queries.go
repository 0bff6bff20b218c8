package prom

import (
	"fmt"
	"time"
)

// Label groupings of the results.
const (
	byContainer = "namespace, pod, container"
	byPod       = "namespace, pod"
)

// gpuResources are the extended-resource names kube-state-metrics exports for GPUs.
const gpuResources = "nvidia_com_gpu|amd_com_gpu"

// queries renders every query of one window. All series of the window are evaluated inside
// Prometheus at step resolution with subqueries ([range:step]) and reduced there (count, first
// and last step, average and maximum), so one result holds one sample per series whatever the
// window's length. Queries are evaluated at end−1s: the subquery steps are then exactly
// start, start+step, …, end−step, one per step of the window.
type queries struct {
	s          scope
	rng, step  string // window range and step, PromQL durations
	rateWindow string
}

func newQueries(s scope, window, step, rateWindow time.Duration) queries {
	if rateWindow < step {
		rateWindow = step
	}
	return queries{s: s, rng: dur(window), step: dur(step), rateWindow: dur(rateWindow)}
}

// sub renders (expr)[range:step].
func (q queries) sub(expr string) string { return "(" + expr + ")[" + q.rng + ":" + q.step + "]" }

// presence returns the count of steps, the first step and the last step (unix seconds) at which
// expr has a value.
func (q queries) presence(name, expr string) []namedQuery {
	return []namedQuery{
		{name + "_steps", "count_over_time(" + q.sub(expr) + ")"},
		{name + "_first", "min_over_time(" + q.sub("timestamp("+expr+")") + ")"},
		{name + "_last", "max_over_time(" + q.sub("timestamp("+expr+")") + ")"},
	}
}

// last renders the last value of each series in the window, grouped by labels.
func (q queries) last(by, sel string) string {
	return "max by (" + by + ") (last_over_time(" + sel + "[" + q.rng + "]))"
}

// running is 1 at every step a container runs.
func (q queries) running() string {
	return "max by (" + byContainer + ") (" + q.s.sel("kube_pod_container_status_running", true) + " == 1)"
}

// whileRunning keeps expr (grouped by container) only at steps where the container runs.
func (q queries) whileRunning(expr string) string {
	return "(" + expr + ") and on (" + byContainer + ") " + q.running()
}

// Container-level queries of a chunk.
const (
	qRunSteps = "container_running_steps"
	qRunFirst = "container_running_first"
	qRunLast  = "container_running_last"
	qCPUReq   = "container_cpu_request_avg"
	qRAMReq   = "container_ram_request_avg"
	qGPUReq   = "container_gpu_request_avg"
	qCPUUse   = "container_cpu_usage_avg"
	qCPUMax   = "container_cpu_usage_max"
	qRAMUse   = "container_ram_usage_avg"
	qRAMMax   = "container_ram_usage_max"
	qNetRx    = "pod_network_receive_bytes"
	qNetTx    = "pod_network_transmit_bytes"
	qPodInfo  = "pod_info"
	qPodOwner = "pod_owner"
	qPodLabel = "pod_labels"
	qPodAnno  = "pod_annotations"
	qPodPVC   = "pod_pvcs"
)

func (q queries) containerQueries() []namedQuery {
	request := func(res matcher) string {
		return "sum by (" + byContainer + ") (" + q.s.sel("kube_pod_container_resource_requests", true, res) + ")"
	}
	cadvisor := []matcher{{"container", "!=", ""}, {"container", "!=", "POD"}}
	cpuUse := "sum by (" + byContainer + ") (rate(" + q.s.sel("container_cpu_usage_seconds_total", true, cadvisor...) + "[" + q.rateWindow + "]))"
	ramUse := "sum by (" + byContainer + ") (" + q.s.sel("container_memory_working_set_bytes", true, cadvisor...) + ")"
	out := q.presence("container_running", q.running())
	out = append(out,
		namedQuery{qCPUReq, "avg_over_time(" + q.sub(q.whileRunning(request(matcher{"resource", "=", "cpu"}))) + ")"},
		namedQuery{qRAMReq, "avg_over_time(" + q.sub(q.whileRunning(request(matcher{"resource", "=", "memory"}))) + ")"},
		namedQuery{qGPUReq, "avg_over_time(" + q.sub(q.whileRunning(request(matcher{"resource", "=~", gpuResources}))) + ")"},
		namedQuery{qCPUUse, "avg_over_time(" + q.sub(q.whileRunning(cpuUse)) + ")"},
		namedQuery{qCPUMax, "max_over_time(" + q.sub(q.whileRunning(cpuUse)) + ")"},
		namedQuery{qRAMUse, "avg_over_time(" + q.sub(q.whileRunning(ramUse)) + ")"},
		namedQuery{qRAMMax, "max_over_time(" + q.sub(q.whileRunning(ramUse)) + ")"},
		namedQuery{qNetRx, "sum by (" + byPod + ") (increase(" + q.s.sel("container_network_receive_bytes_total", true) + "[" + q.rng + "]))"},
		namedQuery{qNetTx, "sum by (" + byPod + ") (increase(" + q.s.sel("container_network_transmit_bytes_total", true) + "[" + q.rng + "]))"},
		namedQuery{qPodInfo, q.last("namespace, pod, uid, node, pod_ip, host_network", q.s.sel("kube_pod_info", true))},
		namedQuery{qPodOwner, q.last("namespace, pod, owner_kind, owner_name", q.s.sel("kube_pod_owner", true))},
		namedQuery{qPodLabel, "last_over_time(" + q.s.sel("kube_pod_labels", true) + "[" + q.rng + "])"},
		namedQuery{qPodAnno, "last_over_time(" + q.s.sel("kube_pod_annotations", true) + "[" + q.rng + "])"},
		namedQuery{qPodPVC, q.last("namespace, pod, persistentvolumeclaim", q.s.sel("kube_pod_spec_volumes_persistentvolumeclaims_info", true))},
	)
	return out
}

// Namespace-level queries of a chunk (metrics without a pod label).
const (
	qEndpoints = "endpoint_addresses"
	qRSOwner   = "replicaset_owner"
	qJobOwner  = "job_owner"
)

func (q queries) namespaceQueries() []namedQuery {
	return []namedQuery{
		{qEndpoints, q.last("namespace, endpoint, ip", q.s.sel("kube_endpoint_address", false))},
		{qRSOwner, q.last("namespace, replicaset, owner_kind, owner_name", q.s.sel("kube_replicaset_owner", false))},
		{qJobOwner, q.last("namespace, job_name, owner_kind, owner_name", q.s.sel("kube_job_owner", false))},
	}
}

// Cluster-level queries (scope without chunk).
const (
	qNSLabel    = "namespace_labels"
	qNSAnno     = "namespace_annotations"
	qNodeSteps  = "node_steps"
	qNodeFirst  = "node_first"
	qNodeLast   = "node_last"
	qNodeCap    = "node_capacity_avg"
	qNodeLabel  = "node_labels"
	qNodeInfo   = "node_info"
	qNodeCPU    = "node_cpu_hourly_cost"
	qNodeRAM    = "node_ram_hourly_cost"
	qNodeGPU    = "node_gpu_hourly_cost"
	qPVSteps    = "pv_steps"
	qPVFirst    = "pv_first"
	qPVLast     = "pv_last"
	qPVCap      = "pv_capacity_avg"
	qPVInfo     = "pv_info"
	qPVCInfo    = "pvc_info"
	qPVPrice    = "pv_hourly_cost"
	qLBSteps    = "lb_steps"
	qLBFirst    = "lb_first"
	qLBLast     = "lb_last"
	qLBIngress  = "lb_ingress"
	qLBPrice    = "lb_hourly_cost"
	qPlanChunks = "plan_chunks"
)

func (q queries) clusterQueries() []namedQuery {
	nodeUp := "max by (node) (" + q.s.sel("kube_node_info", false) + ")"
	pvUp := "max by (persistentvolume) (" + q.s.sel("kube_persistentvolume_capacity_bytes", false) + ")"
	lbUp := "max by (namespace, service) (" + q.s.sel("kube_service_spec_type", false, matcher{"type", "=", "LoadBalancer"}) + ")"
	price := func(metric, by string) string {
		return "avg by (" + by + ") (avg_over_time(" + q.s.sel(metric, false) + "[" + q.rng + "]))"
	}
	out := []namedQuery{
		{qNSLabel, "last_over_time(" + q.s.sel("kube_namespace_labels", false) + "[" + q.rng + "])"},
		{qNSAnno, "last_over_time(" + q.s.sel("kube_namespace_annotations", false) + "[" + q.rng + "])"},
		{qNodeCap, "avg_over_time(" + q.sub("max by (node, resource) ("+q.s.sel("kube_node_status_capacity", false, matcher{"resource", "=~", "cpu|memory|" + gpuResources})+")") + ")"},
		{qNodeLabel, "last_over_time(" + q.s.sel("kube_node_labels", false) + "[" + q.rng + "])"},
		{qNodeInfo, q.last("node, provider_id", q.s.sel("kube_node_info", false))},
		{qNodeCPU, price("node_cpu_hourly_cost", "node")},
		{qNodeRAM, price("node_ram_hourly_cost", "node")},
		{qNodeGPU, price("node_gpu_hourly_cost", "node")},
		{qPVCap, "avg_over_time(" + q.sub(pvUp) + ")"},
		{qPVInfo, q.last("persistentvolume, storageclass, csi_volume_handle, ebs_volume_id, gce_persistent_disk_name, azure_disk_name", q.s.sel("kube_persistentvolume_info", false))},
		{qPVCInfo, q.last("namespace, persistentvolumeclaim, volumename, storageclass", q.s.sel("kube_persistentvolumeclaim_info", false))},
		{qPVPrice, price("pv_hourly_cost", "persistentvolume")},
		{qLBIngress, q.last("namespace, service, ip, hostname", q.s.sel("kube_service_status_load_balancer_ingress", false))},
		{qLBPrice, price("kubecost_load_balancer_cost", "namespace, service_name, ingress_ip")},
	}
	out = append(out, renamePresence(q.presence("node", nodeUp), qNodeSteps, qNodeFirst, qNodeLast)...)
	out = append(out, renamePresence(q.presence("pv", pvUp), qPVSteps, qPVFirst, qPVLast)...)
	out = append(out, renamePresence(q.presence("lb", lbUp), qLBSteps, qLBFirst, qLBLast)...)
	return out
}

func renamePresence(qs []namedQuery, steps, first, last string) []namedQuery {
	qs[0].Name, qs[1].Name, qs[2].Name = steps, first, last
	return qs
}

// planQuery counts the containers per namespace and first character of the pod name that
// ran in the window: the input of planChunks.
func (q queries) planQuery() namedQuery {
	return namedQuery{qPlanChunks, fmt.Sprintf(
		`count by (namespace, first) (label_replace(count_over_time(%s[%s]), "first", "$1", "pod", "(.).*"))`,
		q.s.sel("kube_pod_container_status_running", true), q.rng)}
}
