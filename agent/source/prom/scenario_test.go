package prom_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/testenv"
)

const (
	mib = 1 << 20
	gib = 1 << 30
)

// e2ePricing is the pricing file of the scenario: node-b is priced by it (c5.large CPU
// override, spot RAM and GPU); node-a by OpenCost metrics.
const e2ePricing = `{
  "provider": "custom",
  "description": "e2e",
  "CPU": "0.031611",
  "RAM": "0.004237",
  "GPU": "0.95",
  "spotCPU": "0.006655",
  "spotRAM": "0.001",
  "spotGPU": "0.3",
  "storage": "0.073",
  "clusterManagement": 0.1,
  "loadBalancer": 0.03,
  "instanceTypes": {"c5.large": {"CPU": 0.04}}
}`

// scenario writes the synthetic cluster "e2e" (and a foreign cluster "other" in the same
// Prometheus, which the cluster filter must exclude) around the window [ws, we).
func scenario(ws, we time.Time) *openMetrics {
	o := newOpenMetrics()
	from, to, every := ws.Add(-30*time.Minute), we, 30*time.Second
	always := func(v float64) func(time.Time) (float64, bool) {
		return func(time.Time) (float64, bool) { return v, true }
	}
	between := func(s, e time.Time, v float64) func(time.Time) (float64, bool) {
		return func(t time.Time) (float64, bool) { return v, !t.Before(s) && t.Before(e) }
	}
	g := func(metric string, f func(time.Time) (float64, bool), kv ...string) {
		o.add("gauge", metric, labels(append([]string{"cluster_id", "e2e"}, kv...)...), from, to, every, f)
	}

	// Nodes.
	g("kube_node_info", always(1), "node", "node-a", "provider_id", "aws:///us-east-1a/i-aaa")
	g("kube_node_info", always(1), "node", "node-b", "provider_id", "aws:///us-east-1b/i-bbb")
	g("kube_node_status_capacity", always(4), "node", "node-a", "resource", "cpu", "unit", "core")
	g("kube_node_status_capacity", always(16*gib), "node", "node-a", "resource", "memory", "unit", "byte")
	g("kube_node_status_capacity", always(2), "node", "node-b", "resource", "cpu", "unit", "core")
	g("kube_node_status_capacity", always(8*gib), "node", "node-b", "resource", "memory", "unit", "byte")
	g("kube_node_status_capacity", always(1), "node", "node-b", "resource", "nvidia_com_gpu", "unit", "integer")
	g("kube_node_labels", always(1), "node", "node-a", "label_node_kubernetes_io_instance_type", "m5.xlarge", "label_kubernetes_io_hostname", "node-a")
	g("kube_node_labels", always(1), "node", "node-b", "label_node_kubernetes_io_instance_type", "c5.large", "label_karpenter_sh_capacity_type", "spot")
	g("node_cpu_hourly_cost", always(0.05), "node", "node-a", "instance_type", "m5.xlarge")
	g("node_ram_hourly_cost", always(0.006), "node", "node-a", "instance_type", "m5.xlarge")

	// Namespaces.
	g("kube_namespace_labels", always(1), "namespace", "web", "label_env", "prod")
	g("kube_namespace_labels", always(1), "namespace", "data", "label_env", "prod", "label_team", "dba")
	g("kube_namespace_labels", always(1), "namespace", "ops")

	// Controllers.
	g("kube_replicaset_owner", always(1), "namespace", "web", "replicaset", "frontend-7d9f8", "owner_kind", "Deployment", "owner_name", "frontend", "owner_is_controller", "true")
	g("kube_job_owner", always(1), "namespace", "ops", "job_name", "report-28000000", "owner_kind", "CronJob", "owner_name", "report", "owner_is_controller", "true")
	g("kube_job_owner", always(1), "namespace", "ops", "job_name", "migrate", "owner_kind", "<none>", "owner_name", "<none>", "owner_is_controller", "<none>")

	type ctr struct {
		name                     string
		cpuReq, cpuUse           float64 // cores
		ramReq, ramUse           float64 // bytes
		gpu                      float64
		rxPerSec, txPerSec       float64
		runFrom, runTo, existsTo time.Time
	}
	type pod struct {
		ns, name, node, ip, ownerKind, ownerName string
		labels                                   []string
		annotations                              []string
		pvc                                      string
		ctrs                                     []ctr
	}
	full := func(c ctr) ctr { c.runFrom, c.runTo, c.existsTo = from, to, to; return c }
	pods := []pod{
		{ns: "web", name: "frontend-7d9f8-abcde", node: "node-a", ip: "10.0.0.1", ownerKind: "ReplicaSet", ownerName: "frontend-7d9f8",
			labels: []string{"label_app", "frontend", "label_pod_template_hash", "7d9f8"},
			ctrs:   []ctr{full(ctr{name: "nginx", cpuReq: 0.5, cpuUse: 0.2, ramReq: 512 * mib, ramUse: 700 * mib, rxPerSec: 1000, txPerSec: 2000})}},
		{ns: "web", name: "frontend-7d9f8-fghij", node: "node-b", ip: "10.0.0.2", ownerKind: "ReplicaSet", ownerName: "frontend-7d9f8",
			labels: []string{"label_app", "frontend", "label_pod_template_hash", "7d9f8"},
			ctrs:   []ctr{full(ctr{name: "nginx", cpuReq: 0.5, cpuUse: 0.8, ramReq: 512 * mib, ramUse: 256 * mib, rxPerSec: 500, txPerSec: 100})}},
		{ns: "data", name: "db-0", node: "node-a", ip: "10.0.1.5", ownerKind: "StatefulSet", ownerName: "db",
			labels: []string{"label_app", "db"}, annotations: []string{"annotation_backup_velero_io_backup_volumes", "data"}, pvc: "data-db-0",
			ctrs: []ctr{
				full(ctr{name: "postgres", cpuReq: 1, cpuUse: 0.3, ramReq: 2 * gib, ramUse: 1 * gib}),
				full(ctr{name: "exporter", cpuReq: 0.1, cpuUse: 0.15, ramReq: 64 * mib, ramUse: 32 * mib}),
			}},
		{ns: "ops", name: "log-agent-aaaaa", node: "node-a", ip: "10.0.2.1", ownerKind: "DaemonSet", ownerName: "log-agent",
			labels: []string{"label_app", "log-agent"},
			ctrs:   []ctr{full(ctr{name: "agent", cpuReq: 0.1, cpuUse: 0.05, ramReq: 128 * mib, ramUse: 100 * mib})}},
		{ns: "ops", name: "log-agent-bbbbb", node: "node-b", ip: "10.0.2.2", ownerKind: "DaemonSet", ownerName: "log-agent",
			labels: []string{"label_app", "log-agent"},
			ctrs:   []ctr{full(ctr{name: "agent", cpuReq: 0.1, cpuUse: 0.05, ramReq: 128 * mib, ramUse: 100 * mib})}},
		// A Job that completes 30 minutes into the window: kube-state-metrics keeps the pod
		// (running=0), cAdvisor's series end.
		{ns: "ops", name: "migrate-x7k2p", node: "node-a", ip: "10.0.3.1", ownerKind: "Job", ownerName: "migrate",
			ctrs: []ctr{{name: "migrate", cpuReq: 0.25, cpuUse: 1.0, ramReq: 256 * mib, ramUse: 300 * mib,
				runFrom: from, runTo: ws.Add(30 * time.Minute), existsTo: to}}},
		// A CronJob's Job that starts 40 minutes into the window.
		{ns: "ops", name: "report-28000000-q8w9e", node: "node-b", ip: "10.0.3.2", ownerKind: "Job", ownerName: "report-28000000",
			labels: []string{"label_app", "report"},
			ctrs: []ctr{{name: "report", cpuReq: 0.5, cpuUse: 0.1, ramReq: 1 * gib, ramUse: 512 * mib, gpu: 1,
				runFrom: ws.Add(40 * time.Minute), runTo: to, existsTo: to}}},
	}
	for _, p := range pods {
		exists := p.ctrs[0].runFrom
		id := []string{"namespace", p.ns, "pod", p.name, "uid", "uid-" + p.name}
		with := func(kv ...string) []string { return append(slices.Clone(id), kv...) }
		g("kube_pod_info", between(exists, to, 1), with("node", p.node, "pod_ip", p.ip, "host_ip", "192.168.0.1", "created_by_kind", p.ownerKind, "created_by_name", p.ownerName)...)
		g("kube_pod_owner", between(exists, to, 1), with("owner_kind", p.ownerKind, "owner_name", p.ownerName, "owner_is_controller", "true")...)
		g("kube_pod_labels", between(exists, to, 1), with(p.labels...)...)
		if len(p.annotations) > 0 {
			g("kube_pod_annotations", between(exists, to, 1), with(p.annotations...)...)
		}
		if p.pvc != "" {
			g("kube_pod_spec_volumes_persistentvolumeclaims_info", between(exists, to, 1), with("volume", "data", "persistentvolumeclaim", p.pvc)...)
		}
		for _, c := range p.ctrs {
			cid := with("container", c.name)
			running := func(t time.Time) (float64, bool) {
				if t.Before(c.runFrom) || !t.Before(c.existsTo) {
					return 0, false
				}
				if t.Before(c.runTo) {
					return 1, true
				}
				return 0, true
			}
			g("kube_pod_container_status_running", running, cid...)
			g("kube_pod_container_resource_requests", between(c.runFrom, c.existsTo, c.cpuReq), append(slices.Clone(cid), "node", p.node, "resource", "cpu", "unit", "core")...)
			g("kube_pod_container_resource_requests", between(c.runFrom, c.existsTo, c.ramReq), append(slices.Clone(cid), "node", p.node, "resource", "memory", "unit", "byte")...)
			if c.gpu > 0 {
				g("kube_pod_container_resource_requests", between(c.runFrom, c.existsTo, c.gpu), append(slices.Clone(cid), "node", p.node, "resource", "nvidia_com_gpu", "unit", "integer")...)
			}
			cad := labels("cluster_id", "e2e", "namespace", p.ns, "pod", p.name, "container", c.name, "id", "/kubepods/"+p.name+"/"+c.name, "image", "img")
			cpu := func(t time.Time) (float64, bool) {
				return c.cpuUse * t.Sub(c.runFrom).Seconds(), !t.Before(c.runFrom) && t.Before(c.runTo)
			}
			o.add("counter", "container_cpu_usage_seconds_total", cad, from, to, every, cpu)
			o.add("gauge", "container_memory_working_set_bytes", cad, from, to, every, between(c.runFrom, c.runTo, c.ramUse))
			if c.rxPerSec > 0 {
				net := labels("cluster_id", "e2e", "namespace", p.ns, "pod", p.name, "interface", "eth0", "id", "/kubepods/"+p.name)
				o.add("counter", "container_network_receive_bytes_total", net, from, to, every, func(t time.Time) (float64, bool) {
					return c.rxPerSec * t.Sub(from).Seconds(), true
				})
				o.add("counter", "container_network_transmit_bytes_total", net, from, to, every, func(t time.Time) (float64, bool) {
					return c.txPerSec * t.Sub(from).Seconds(), true
				})
			}
		}
	}

	// Services: frontend is a LoadBalancer over both frontend pods; db a ClusterIP service.
	g("kube_service_spec_type", always(1), "namespace", "web", "service", "frontend", "uid", "svc-1", "type", "LoadBalancer")
	g("kube_service_status_load_balancer_ingress", always(1), "namespace", "web", "service", "frontend", "uid", "svc-1", "ip", "203.0.113.10")
	g("kube_service_spec_type", always(1), "namespace", "data", "service", "db", "uid", "svc-2", "type", "ClusterIP")
	g("kube_endpoint_address", always(1), "namespace", "web", "endpoint", "frontend", "ip", "10.0.0.1", "ready", "true")
	g("kube_endpoint_address", always(1), "namespace", "web", "endpoint", "frontend", "ip", "10.0.0.2", "ready", "true")
	g("kube_endpoint_address", always(1), "namespace", "data", "endpoint", "db", "ip", "10.0.1.5", "ready", "true")

	// Volumes: db-0's claim (priced by the file), a claimed but unmounted volume, and an
	// unclaimed one priced by pv_hourly_cost.
	g("kube_persistentvolume_capacity_bytes", always(100*gib), "persistentvolume", "pvc-123")
	g("kube_persistentvolume_capacity_bytes", always(20*gib), "persistentvolume", "pvc-456")
	g("kube_persistentvolume_capacity_bytes", always(50*gib), "persistentvolume", "pv-orphan")
	g("kube_persistentvolume_info", always(1), "persistentvolume", "pvc-123", "storageclass", "gp3", "csi_driver", "ebs.csi.aws.com", "csi_volume_handle", "vol-0123")
	g("kube_persistentvolume_info", always(1), "persistentvolume", "pvc-456", "storageclass", "gp3")
	g("kube_persistentvolume_info", always(1), "persistentvolume", "pv-orphan", "storageclass", "standard")
	g("kube_persistentvolumeclaim_info", always(1), "namespace", "data", "persistentvolumeclaim", "data-db-0", "storageclass", "gp3", "volumename", "pvc-123")
	g("kube_persistentvolumeclaim_info", always(1), "namespace", "data", "persistentvolumeclaim", "data-db-1", "storageclass", "gp3", "volumename", "pvc-456")
	g("pv_hourly_cost", always(0.0002), "persistentvolume", "pv-orphan", "volumename", "pv-orphan")

	// Another cluster in the same Prometheus: must not appear.
	o.add("gauge", "kube_node_info", labels("cluster_id", "other", "node", "node-x", "provider_id", "x"), from, to, every, always(1))
	o.add("gauge", "kube_node_status_capacity", labels("cluster_id", "other", "node", "node-x", "resource", "cpu", "unit", "core"), from, to, every, always(64))
	o.add("gauge", "kube_pod_container_status_running", labels("cluster_id", "other", "namespace", "web", "pod", "intruder", "uid", "u-x", "container", "c"), from, to, every, always(1))
	o.add("gauge", "kube_pod_container_resource_requests", labels("cluster_id", "other", "namespace", "web", "pod", "intruder", "uid", "u-x", "container", "c", "resource", "cpu", "unit", "core"), from, to, every, always(8))
	o.add("gauge", "kube_pod_info", labels("cluster_id", "other", "namespace", "web", "pod", "intruder", "uid", "u-x", "node", "node-x", "pod_ip", "10.0.0.1"), from, to, every, always(1))
	return o
}

// startPrometheus backfills the OpenMetrics file into a fresh TSDB and serves it.
func startPrometheus(t *testing.T, o *openMetrics) string {
	t.Helper()
	promBin := testenv.Tool(t, "prometheus", "scripts/install-tools.sh prometheus")
	promtool := testenv.Tool(t, "promtool", "scripts/install-tools.sh prometheus")
	dir := t.TempDir()
	data := o.write(t, dir)
	tsdb := filepath.Join(dir, "tsdb")
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=168h", data, tsdb).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := testenv.FreePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	testenv.Start(t, nil, promBin, "--config.file="+cfg, "--storage.tsdb.path="+tsdb,
		"--storage.tsdb.retention.time=3650d", "--web.listen-address="+addr)
	testenv.WaitHTTP(t, "http://"+addr+"/-/ready", 30*time.Second)
	return "http://" + addr
}
