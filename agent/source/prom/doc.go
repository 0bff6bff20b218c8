// Package prom is the agent's Prometheus source: it builds one window of allocations and
// assets from what the cluster's Prometheus already holds — kube-state-metrics (v2 metric
// names), cAdvisor, and OpenCost's pricing metrics when present — priced with agent/pricing
// where those metrics are absent.
//
// How a window is queried. Every series is evaluated inside Prometheus at the resolution's
// step (Config.HourlyStep, default 1m; Config.DailyStep, default 5m) with subqueries
// `(expr)[window:step]` evaluated by instant queries (/api/v1/query) at end−1s, so the steps are
// exactly start, start+step, …, end−step and each result holds ONE reduced sample per series
// (count, first/last step, average, maximum) instead of one per step: a 1d window costs the
// same bytes as a 1h one. Queries over containers and pods are chunked: a first query counts
// the containers per namespace and first letter of the pod name, and namespaces are packed into
// chunks of at most Config.MaxSeriesPerQuery containers (a bigger namespace is split by pod
// name prefix), so no query returns an unbounded result.
//
// What a container costs (OpenCost's model):
//   - running minutes = steps with kube_pod_container_status_running == 1, × step; Start and
//     End are the first running step and the last running step + step.
//   - request and usage averages are taken over the running steps only; usage is
//     rate(container_cpu_usage_seconds_total[RateWindow]) and container_memory_working_set_bytes.
//   - CPUCoreHours = max(avg request, avg usage) × running hours (max of the averages, as
//     OpenCost); RAM likewise in bytes; GPUHours = avg GPU request × hours.
//   - CPUCost = core-hours × the node's CPU price; RAMCost = GiB-hours × RAM price; GPUCost =
//     GPU-hours × GPU price. Node prices: node_{cpu,ram,gpu}_hourly_cost > the pricing file's
//     instance-type override (node.kubernetes.io/instance-type) > spot/on-demand default.
//   - Pod-level costs (volumes, load balancers, network bytes) are split evenly over the pod's
//     running containers.
//   - Volumes: a PV's cost (capacity GiB × hours × pv_hourly_cost or the storage price) goes
//     to the running pods mounting its claim (kube_pod_spec_volumes_persistentvolumeclaims_info
//     → kube_persistentvolumeclaim_info), each pod carrying capacity × its hours / pods mounting;
//     an unmounted claimed PV goes to <cluster>//<ns>/<ns>-unmounted-pvcs/__unmounted__, an
//     unclaimed one to <cluster>//__unmounted__/__unmounted__/__unmounted__.
//   - Services: a pod belongs to the services whose endpoints (kube_endpoint_address, ip label)
//     hold its IP (kube_pod_info pod_ip). Chosen over label selectors because kube-state-metrics
//     does not export service selectors; host-network pods (shared node IP) are not matched.
//   - Load balancers: a LoadBalancer service's cost (kubecost_load_balancer_cost or the
//     pricing file's loadBalancer per hour × hours of kube_service_spec_type{type="LoadBalancer"})
//     is spread over the service's pods in proportion to their running hours; without pods it
//     goes to the cluster's __unmounted__ allocation.
//   - Controllers: ReplicaSet → its Deployment (kube_replicaset_owner), a ReplicaSet without
//     owner → replicaset; Job → job (named after its CronJob when kube_job_owner says so, so
//     the runs of a CronJob group together; the kind stays "job" as in OpenCost); StatefulSet,
//     DaemonSet → their lower-case kind.
//   - Labels and annotations lose kube-state-metrics' label_ / annotation_ prefix (label_app →
//     app); namespace labels go to NamespaceLabels. Node asset labels keep the label_ prefix
//     (OpenCost's asset label form).
//
// Assets: a Node per node (capacity × hours priced as above, NodeType from the instance-type
// label, Preemptible from the spot label), a Disk per PV, a LoadBalancer per LoadBalancer
// service (named <namespace>/<service>) and one ClusterManagement asset (pricing
// clusterManagement per hour).
//
// A Prometheus shared by several clusters: Config.ClusterLabel/ClusterFilter add a matcher
// (e.g. cluster_id="prod-1") to every selector.
package prom
