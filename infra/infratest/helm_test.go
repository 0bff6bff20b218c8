package infratest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/fedcost/fedcost/shared/testenv"
)

// kubeVersion is the Kubernetes version manifests are rendered for (capabilities checks).
const kubeVersion = "1.31.0"

var charts = []string{"fedcost-agent", "fedcost-query"}

// manifest is one rendered document: either a typed object from client-go's scheme or, for the
// Prometheus Operator CRDs the scheme does not know, a generic map.
type manifest struct {
	source string // "# Source:" line of helm template
	obj    runtime.Object
	crd    map[string]any
}

func helmTool(t *testing.T) string {
	return testenv.Tool(t, "helm", "scripts/install-tools.sh helm")
}

func chartDir(t *testing.T, chart string) string {
	return filepath.Join(infraDir(t), "helm", chart)
}

// ciValues lists a chart's ci/*.yaml values files (the ones chart-testing would also use).
func ciValues(t *testing.T, chart string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir(t, chart), "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no values files in infra/helm/%s/ci: %v", chart, err)
	}
	sort.Strings(files)
	return files
}

func helmTemplate(t *testing.T, helm, chart, values string) (string, error) {
	return runErr(chartDir(t, chart), nil, helm, "template", "fedcost", ".",
		"--namespace", "fedcost", "--kube-version", kubeVersion, "-f", values)
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// decodeAll strictly decodes every document of a helm template output.
func decodeAll(t *testing.T, rendered string) []manifest {
	t.Helper()
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var out []manifest
	for _, doc := range docSeparator.Split(rendered, -1) {
		source := ""
		body := false
		for _, line := range strings.Split(doc, "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "# Source:") {
				source = strings.TrimSpace(strings.TrimPrefix(trimmed, "# Source:"))
			}
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				body = true
			}
		}
		if !body {
			continue
		}
		var head struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("%s: not YAML: %v\n%s", source, err, doc)
		}
		if strings.HasPrefix(head.APIVersion, "monitoring.coreos.com/") {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatalf("%s: %v", source, err)
			}
			out = append(out, manifest{source: source, crd: m})
			continue
		}
		obj, gvk, err := decoder.Decode([]byte(doc), nil, nil)
		if err != nil {
			t.Fatalf("%s: strict decode of %s %s failed: %v\n%s", source, head.APIVersion, head.Kind, err, doc)
		}
		if gvk.Kind != head.Kind {
			t.Fatalf("%s: decoded kind %s, document says %s", source, gvk.Kind, head.Kind)
		}
		out = append(out, manifest{source: source, obj: obj})
	}
	if len(out) == 0 {
		t.Fatal("helm template rendered nothing")
	}
	return out
}

func TestHelmLint(t *testing.T) {
	t.Parallel()
	helm := helmTool(t)
	for _, chart := range charts {
		for _, values := range ciValues(t, chart) {
			t.Run(chart+"/"+filepath.Base(values), func(t *testing.T) {
				out, err := runErr(chartDir(t, chart), nil, helm, "lint", "--strict", "--kube-version", kubeVersion, "-f", values, ".")
				if err != nil {
					t.Fatalf("helm lint --strict: %v\n%s", err, out)
				}
			})
		}
	}
}

func TestHelmTemplateDecodes(t *testing.T) {
	t.Parallel()
	helm := helmTool(t)
	for _, chart := range charts {
		for _, values := range ciValues(t, chart) {
			t.Run(chart+"/"+filepath.Base(values), func(t *testing.T) {
				out, err := helmTemplate(t, helm, chart, values)
				if err != nil {
					t.Fatalf("helm template: %v\n%s", err, out)
				}
				ms := decodeAll(t, out)
				vals := readValues(t, values)
				checkWorkloads(t, ms)
				checkServices(t, ms)
				checkCRDs(t, ms)
				switch chart {
				case "fedcost-agent":
					checkAgent(t, ms, vals)
				case "fedcost-query":
					checkQuery(t, ms, vals)
				}
			})
		}
	}
}

func readValues(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]any{}
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if v == nil {
		v = map[string]any{}
	}
	return v
}

// lookup walks a values map along a dotted path.
func lookup(v map[string]any, path string) any {
	var cur any = v
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

func deployments(ms []manifest) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, m := range ms {
		if d, ok := m.obj.(*appsv1.Deployment); ok {
			out = append(out, d)
		}
	}
	return out
}

func services(ms []manifest) []*corev1.Service {
	var out []*corev1.Service
	for _, m := range ms {
		if s, ok := m.obj.(*corev1.Service); ok {
			out = append(out, s)
		}
	}
	return out
}

func serviceAccounts(ms []manifest) []*corev1.ServiceAccount {
	var out []*corev1.ServiceAccount
	for _, m := range ms {
		if s, ok := m.obj.(*corev1.ServiceAccount); ok {
			out = append(out, s)
		}
	}
	return out
}

func kinds(ms []manifest) map[string]int {
	k := map[string]int{}
	for _, m := range ms {
		if m.obj != nil {
			k[m.obj.GetObjectKind().GroupVersionKind().Kind]++
		} else {
			k[fmt.Sprint(m.crd["kind"])]++
		}
	}
	return k
}

func env(c corev1.Container) map[string]string {
	e := map[string]string{}
	for _, v := range c.Env {
		e[v.Name] = v.Value
	}
	return e
}

func mountPath(c corev1.Container, volume string) string {
	for _, m := range c.VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	return ""
}

func volume(spec corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

func subset(small, big map[string]string) bool {
	if len(small) == 0 {
		return false
	}
	for k, v := range small {
		if big[k] != v {
			return false
		}
	}
	return true
}

// checkWorkloads: non-root, read-only, no privilege escalation, probes and resources on every
// container; every mount names a volume; probes name a declared port; selectors match the pods.
func checkWorkloads(t *testing.T, ms []manifest) {
	t.Helper()
	ds := deployments(ms)
	if len(ds) == 0 {
		t.Fatal("no Deployment rendered")
	}
	for _, d := range ds {
		spec := d.Spec.Template.Spec
		if !subset(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			t.Errorf("%s: selector %v does not match pod labels %v", d.Name, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
		}
		psc := spec.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
			t.Errorf("%s: pod must run as a non-root user: %+v", d.Name, psc)
		}
		if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: pod must use the RuntimeDefault seccomp profile", d.Name)
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			t.Errorf("%s: the pod does not call the Kubernetes API and must not mount a token", d.Name)
		}
		for _, c := range spec.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s/%s: root filesystem must be read-only", d.Name, c.Name)
			}
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s/%s: privilege escalation must be off", d.Name, c.Name)
			}
			if sc == nil || sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
				t.Errorf("%s/%s: all capabilities must be dropped", d.Name, c.Name)
			}
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				t.Errorf("%s/%s: liveness and readiness probes required", d.Name, c.Name)
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s/%s: CPU/memory requests and a memory limit required", d.Name, c.Name)
			}
			if !strings.HasPrefix(c.Image, "ghcr.io/fedcost/fedcost:") && !strings.Contains(c.Image, "/fedcost/fedcost:") {
				t.Errorf("%s/%s: unexpected image %q", d.Name, c.Name, c.Image)
			}
			ports := map[string]bool{}
			for _, p := range c.Ports {
				ports[p.Name] = true
			}
			for what, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
				if p == nil || p.HTTPGet == nil {
					continue
				}
				if port := p.HTTPGet.Port.String(); !ports[port] {
					t.Errorf("%s/%s: %s probe port %q is not a container port", d.Name, c.Name, what, port)
				}
			}
			for _, m := range c.VolumeMounts {
				if volume(spec, m.Name) == nil {
					t.Errorf("%s/%s: mount %q has no volume", d.Name, c.Name, m.Name)
				}
			}
			if mountPath(c, "tmp") != "/tmp" {
				t.Errorf("%s/%s: a read-only root needs a writable /tmp", d.Name, c.Name)
			}
			if mountPath(c, "store") != "/etc/fedcost/store" || env(c)["FEDCOST_STORE"] != "/etc/fedcost/store/federated-store.yaml" {
				t.Errorf("%s/%s: federated-store.yaml must be mounted at /etc/fedcost/store and named by FEDCOST_STORE", d.Name, c.Name)
			}
			if v := volume(spec, "store"); v == nil || v.Secret == nil || len(v.Secret.Items) != 1 || v.Secret.Items[0].Key != "federated-store.yaml" {
				t.Errorf("%s: the store volume must be the Secret key federated-store.yaml", d.Name)
			}
		}
	}
}

// checkServices: every Service selects a rendered pod and targets a declared port.
func checkServices(t *testing.T, ms []manifest) {
	t.Helper()
	for _, s := range services(ms) {
		var pod *corev1.PodTemplateSpec
		for _, d := range deployments(ms) {
			if subset(s.Spec.Selector, d.Spec.Template.Labels) {
				pod = &d.Spec.Template
			}
		}
		if pod == nil {
			t.Errorf("Service %s selects no rendered pod (selector %v)", s.Name, s.Spec.Selector)
			continue
		}
		for _, p := range s.Spec.Ports {
			found := false
			for _, c := range pod.Spec.Containers {
				for _, cp := range c.Ports {
					if cp.Name == p.TargetPort.String() || fmt.Sprint(cp.ContainerPort) == p.TargetPort.String() {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("Service %s: targetPort %s is not a container port", s.Name, p.TargetPort.String())
			}
		}
	}
	for _, m := range ms {
		ing, ok := m.obj.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				found := false
				for _, s := range services(ms) {
					if s.Name != p.Backend.Service.Name {
						continue
					}
					for _, sp := range s.Spec.Ports {
						found = found || sp.Name == p.Backend.Service.Port.Name
					}
				}
				if !found {
					t.Errorf("Ingress %s: backend %s:%s is not a rendered Service port", ing.Name, p.Backend.Service.Name, p.Backend.Service.Port.Name)
				}
			}
		}
	}
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	for k, x := range asMap(v) {
		out[k] = fmt.Sprint(x)
	}
	return out
}

// checkCRDs checks ServiceMonitor and PrometheusRule documents by hand: the scheme does not know
// them, so apiVersion, kind, required fields and references are verified here, and the alert
// rules go through promtool when it is installed.
func checkCRDs(t *testing.T, ms []manifest) {
	t.Helper()
	for _, m := range ms {
		if m.crd == nil {
			continue
		}
		c := m.crd
		if str(c["apiVersion"]) != "monitoring.coreos.com/v1" {
			t.Errorf("%s: apiVersion %v", m.source, c["apiVersion"])
		}
		meta := asMap(c["metadata"])
		if str(meta["name"]) == "" || str(meta["namespace"]) == "" {
			t.Errorf("%s: metadata.name and metadata.namespace required", m.source)
		}
		spec := asMap(c["spec"])
		switch kind := str(c["kind"]); kind {
		case "ServiceMonitor":
			checkServiceMonitor(t, ms, m.source, spec)
		case "PrometheusRule":
			checkPrometheusRule(t, m.source, spec)
		default:
			t.Errorf("%s: unexpected monitoring.coreos.com kind %q", m.source, kind)
		}
	}
}

func checkServiceMonitor(t *testing.T, ms []manifest, source string, spec map[string]any) {
	t.Helper()
	known := map[string]bool{"selector": true, "namespaceSelector": true, "endpoints": true}
	for k := range spec {
		if !known[k] {
			t.Errorf("%s: unknown ServiceMonitor spec field %q", source, k)
		}
	}
	sel := stringMap(asMap(spec["selector"])["matchLabels"])
	var matched []*corev1.Service
	for _, s := range services(ms) {
		if subset(sel, s.Labels) {
			matched = append(matched, s)
		}
	}
	if len(matched) == 0 {
		t.Errorf("%s: selector %v matches no rendered Service", source, sel)
	}
	eps := asList(spec["endpoints"])
	if len(eps) == 0 {
		t.Errorf("%s: spec.endpoints required", source)
	}
	for _, e := range eps {
		ep := asMap(e)
		port := str(ep["port"])
		for _, s := range matched {
			ok := false
			for _, p := range s.Spec.Ports {
				ok = ok || p.Name == port
			}
			if !ok {
				t.Errorf("%s: endpoint port %q is not a port of Service %s", source, port, s.Name)
			}
		}
		for _, d := range []string{"interval", "scrapeTimeout"} {
			if v, ok := ep[d]; ok {
				if _, err := time.ParseDuration(str(v)); err != nil {
					t.Errorf("%s: endpoint %s %v: %v", source, d, v, err)
				}
			}
		}
		if str(ep["path"]) != "/metrics" {
			t.Errorf("%s: endpoint path %v, want /metrics", source, ep["path"])
		}
		if a := asMap(ep["authorization"]); a != nil {
			cred := asMap(a["credentials"])
			if str(a["type"]) != "Bearer" || str(cred["name"]) == "" || str(cred["key"]) == "" {
				t.Errorf("%s: authorization needs type Bearer and credentials name/key: %v", source, a)
			}
		}
	}
}

func checkPrometheusRule(t *testing.T, source string, spec map[string]any) {
	t.Helper()
	groups := asList(spec["groups"])
	if len(groups) == 0 {
		t.Fatalf("%s: spec.groups required", source)
	}
	alerts := map[string]bool{}
	for _, g := range groups {
		group := asMap(g)
		if str(group["name"]) == "" {
			t.Errorf("%s: group without name", source)
		}
		for _, r := range asList(group["rules"]) {
			rule := asMap(r)
			name := str(rule["alert"])
			if name == "" || str(rule["expr"]) == "" {
				t.Errorf("%s: every rule needs alert and expr: %v", source, rule)
			}
			alerts[name] = true
			if f, ok := rule["for"]; ok {
				if _, err := time.ParseDuration(str(f)); err != nil {
					t.Errorf("%s: %s for %v: %v", source, name, f, err)
				}
			}
			if str(asMap(rule["labels"])["severity"]) == "" || str(asMap(rule["annotations"])["summary"]) == "" {
				t.Errorf("%s: %s needs a severity label and a summary", source, name)
			}
		}
	}
	for _, want := range []string{"FedcostClusterStale", "FedcostIngestErrors", "FedcostQuarantinedUploads"} {
		if !alerts[want] {
			t.Errorf("%s: alert %s missing", source, want)
		}
	}
	promtool := testenv.LookTool("promtool")
	if promtool == "" {
		t.Logf("promtool not installed: alert expressions not parsed (scripts/install-tools.sh prometheus)")
		return
	}
	data, err := yaml.Marshal(map[string]any{"groups": groups})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runErr("", nil, promtool, "check", "rules", file); err != nil {
		t.Errorf("%s: promtool check rules: %v\n%s", source, err, out)
	}
}

func checkAgent(t *testing.T, ms []manifest, vals map[string]any) {
	t.Helper()
	ds := deployments(ms)
	if len(ds) != 1 {
		t.Fatalf("agent: want 1 Deployment, got %d", len(ds))
	}
	d := ds[0]
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("agent: exactly one replica with the Recreate strategy (two agents = duplicate install)")
	}
	spec := d.Spec.Template.Spec
	c := spec.Containers[0]
	e := env(c)
	if want := str(vals["clusterId"]); e["FEDCOST_CLUSTER_ID"] != want || want == "" {
		t.Errorf("agent: FEDCOST_CLUSTER_ID %q, values clusterId %q", e["FEDCOST_CLUSTER_ID"], want)
	}
	if len(c.Command) != 1 || c.Command[0] != "/usr/local/bin/fedcost-agent" {
		t.Errorf("agent: command %v", c.Command)
	}
	for _, k := range []string{"FEDCOST_SOURCE", "FEDCOST_INTERVAL", "FEDCOST_SPOOL_DIR", "FEDCOST_LISTEN"} {
		if e[k] == "" {
			t.Errorf("agent: %s not set", k)
		}
	}
	source := str(vals["source"])
	if source == "" {
		source = "prometheus"
	}
	if e["FEDCOST_SOURCE"] != source {
		t.Errorf("agent: FEDCOST_SOURCE %q, want %q", e["FEDCOST_SOURCE"], source)
	}
	if source == "prometheus" && !strings.HasPrefix(e["FEDCOST_PROMETHEUS_URL"], "http") {
		t.Errorf("agent: FEDCOST_PROMETHEUS_URL %q", e["FEDCOST_PROMETHEUS_URL"])
	}
	if source == "opencost" && e["FEDCOST_OPENCOST_URL"] != str(lookup(vals, "opencost.address")) {
		t.Errorf("agent: FEDCOST_OPENCOST_URL %q", e["FEDCOST_OPENCOST_URL"])
	}
	secret := str(vals["federatedStorageConfigSecret"])
	if secret == "" {
		secret = "federated-store"
	}
	if v := volume(spec, "store"); v == nil || v.Secret.SecretName != secret {
		t.Errorf("agent: store volume must be Secret %q", secret)
	}
	if e["FEDCOST_SPOOL_DIR"] != "/var/lib/fedcost/spool" || mountPath(c, "spool") != "/var/lib/fedcost/spool" {
		t.Errorf("agent: the spool volume must be mounted at FEDCOST_SPOOL_DIR")
	}
	spool := volume(spec, "spool")
	persistent := lookup(vals, "spool.persistence.enabled") == true
	switch {
	case spool == nil:
		t.Errorf("agent: no spool volume")
	case persistent && spool.PersistentVolumeClaim == nil:
		t.Errorf("agent: spool.persistence.enabled needs a PVC-backed spool")
	case persistent && kinds(ms)["PersistentVolumeClaim"] != 1:
		t.Errorf("agent: spool PVC not rendered")
	case !persistent && (spool.EmptyDir == nil || spool.EmptyDir.SizeLimit == nil):
		t.Errorf("agent: the default spool is a size-limited emptyDir")
	case !persistent:
		// The agent must trim its spool before the kubelet evicts the pod for an overfull emptyDir.
		maxBytes, err := strconv.ParseInt(e["FEDCOST_SPOOL_MAX_BYTES"], 10, 64)
		if err != nil || maxBytes <= 0 || maxBytes >= spool.EmptyDir.SizeLimit.Value() {
			t.Errorf("agent: FEDCOST_SPOOL_MAX_BYTES %q must be a positive size below the spool sizeLimit %s", e["FEDCOST_SPOOL_MAX_BYTES"], spool.EmptyDir.SizeLimit)
		}
	}
	// helm template has no cluster to look up, so only an explicit installId reaches the pod.
	if id, set := e["FEDCOST_INSTALL_ID"]; id != str(vals["installId"]) || set != (str(vals["installId"]) != "") {
		t.Errorf("agent: FEDCOST_INSTALL_ID %q (set %v), values installId %q", id, set, vals["installId"])
	}
	checkPricing(t, ms, spec, c, vals)
	checkCA(t, spec, c, vals)
	checkIdentity(t, ms, d, vals)
	if (lookup(vals, "serviceMonitor.enabled") == true) != (kinds(ms)["ServiceMonitor"] == 1) {
		t.Errorf("agent: ServiceMonitor rendered %d times, serviceMonitor.enabled=%v", kinds(ms)["ServiceMonitor"], lookup(vals, "serviceMonitor.enabled"))
	}
}

func checkPricing(t *testing.T, ms []manifest, spec corev1.PodSpec, c corev1.Container, vals map[string]any) {
	t.Helper()
	e := env(c)
	if lookup(vals, "pricing.enabled") != true {
		if _, ok := e["FEDCOST_PRICING"]; ok {
			t.Errorf("agent: FEDCOST_PRICING set without pricing.enabled")
		}
		return
	}
	if e["FEDCOST_PRICING"] != "/etc/fedcost/pricing/pricing.yaml" || mountPath(c, "pricing") != "/etc/fedcost/pricing" {
		t.Errorf("agent: pricing must be mounted at /etc/fedcost/pricing and named by FEDCOST_PRICING")
	}
	v := volume(spec, "pricing")
	if v == nil || v.ConfigMap == nil {
		t.Fatalf("agent: pricing volume must be a ConfigMap")
	}
	if existing := str(lookup(vals, "pricing.existingConfigMap")); existing != "" {
		if v.ConfigMap.Name != existing || kinds(ms)["ConfigMap"] != 0 {
			t.Errorf("agent: pricing.existingConfigMap %q must be used as is", existing)
		}
		return
	}
	for _, m := range ms {
		if cm, ok := m.obj.(*corev1.ConfigMap); ok && cm.Name == v.ConfigMap.Name {
			var parsed map[string]any
			if err := yaml.Unmarshal([]byte(cm.Data["pricing.yaml"]), &parsed); err != nil || len(parsed) == 0 {
				t.Errorf("agent: pricing ConfigMap pricing.yaml is not the configured YAML: %v", err)
			}
			return
		}
	}
	t.Errorf("agent: pricing ConfigMap %s not rendered", v.ConfigMap.Name)
}

func checkCA(t *testing.T, spec corev1.PodSpec, c corev1.Container, vals map[string]any) {
	t.Helper()
	if lookup(vals, "caBundle.enabled") != true {
		if volume(spec, "ca") != nil {
			t.Errorf("%s: CA volume without caBundle.enabled", c.Name)
		}
		return
	}
	if mountPath(c, "ca") != "/etc/fedcost/ca" {
		t.Errorf("%s: the CA bundle must be mounted at /etc/fedcost/ca", c.Name)
	}
	key := str(lookup(vals, "caBundle.key"))
	if key == "" {
		key = "ca.crt"
	}
	v := volume(spec, "ca")
	var items []corev1.KeyToPath
	switch {
	case v == nil:
		t.Fatalf("%s: no CA volume", c.Name)
	case v.ConfigMap != nil:
		if v.ConfigMap.Name != str(lookup(vals, "caBundle.configMap")) {
			t.Errorf("%s: CA ConfigMap %q", c.Name, v.ConfigMap.Name)
		}
		items = v.ConfigMap.Items
	case v.Secret != nil:
		if v.Secret.SecretName != str(lookup(vals, "caBundle.secret")) {
			t.Errorf("%s: CA Secret %q", c.Name, v.Secret.SecretName)
		}
		items = v.Secret.Items
	}
	if len(items) != 1 || items[0].Key != key || items[0].Path != key {
		t.Errorf("%s: CA volume must project key %q as /etc/fedcost/ca/%s: %v", c.Name, key, key, items)
	}
}

func checkIdentity(t *testing.T, ms []manifest, d *appsv1.Deployment, vals map[string]any) {
	t.Helper()
	sas := serviceAccounts(ms)
	if len(sas) != 1 {
		t.Fatalf("want 1 ServiceAccount, got %d", len(sas))
	}
	sa := sas[0]
	if d.Spec.Template.Spec.ServiceAccountName != sa.Name {
		t.Errorf("%s runs as %q, rendered ServiceAccount is %q", d.Name, d.Spec.Template.Spec.ServiceAccountName, sa.Name)
	}
	for value, annotation := range map[string]string{
		"workloadIdentity.aws.roleArn":        "eks.amazonaws.com/role-arn",
		"workloadIdentity.gcp.serviceAccount": "iam.gke.io/gcp-service-account",
		"workloadIdentity.azure.clientId":     "azure.workload.identity/client-id",
	} {
		if want := str(lookup(vals, value)); sa.Annotations[annotation] != want {
			t.Errorf("ServiceAccount annotation %s = %q, want %q (from %s)", annotation, sa.Annotations[annotation], want, value)
		}
	}
	azure := str(lookup(vals, "workloadIdentity.azure.clientId")) != ""
	if got := d.Spec.Template.Labels["azure.workload.identity/use"] == "true"; got != azure {
		t.Errorf("%s: pod label azure.workload.identity/use=true is %v, want %v", d.Name, got, azure)
	}
}

func checkQuery(t *testing.T, ms []manifest, vals map[string]any) {
	t.Helper()
	var query, webhook *appsv1.Deployment
	for _, d := range deployments(ms) {
		switch d.Spec.Template.Labels["app.kubernetes.io/component"] {
		case "query":
			query = d
		case "webhook":
			webhook = d
		default:
			t.Errorf("Deployment %s has no known component label", d.Name)
		}
	}
	if query == nil {
		t.Fatal("query Deployment not rendered")
	}
	spec := query.Spec.Template.Spec
	c := spec.Containers[0]
	e := env(c)
	if strings.Join(c.Command, " ") != "/usr/local/bin/fedcost query" {
		t.Errorf("query: command %v", c.Command)
	}
	for _, k := range []string{"FEDCOST_LISTEN", "FEDCOST_REFRESH", "FEDCOST_STALE_AFTER"} {
		if e[k] == "" {
			t.Errorf("query: %s not set", k)
		}
	}
	if _, err := time.ParseDuration(e["FEDCOST_STALE_AFTER"]); err != nil {
		t.Errorf("query: FEDCOST_STALE_AFTER: %v", err)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("query: readiness must be /readyz and liveness /healthz")
	}
	if lookup(vals, "auth.enabled") != false {
		if e["FEDCOST_TOKEN_FILE"] != "/etc/fedcost/tokens/tokens" || mountPath(c, "tokens") != "/etc/fedcost/tokens" {
			t.Errorf("query: the token Secret must be mounted as /etc/fedcost/tokens/tokens")
		}
		if v := volume(spec, "tokens"); v == nil || v.Secret == nil || v.Secret.Items[0].Path != "tokens" {
			t.Errorf("query: tokens volume must project the Secret key as 'tokens'")
		}
	}
	replicas := 2
	if r, ok := vals["replicaCount"].(int); ok {
		replicas = r
	}
	if query.Spec.Replicas == nil || int(*query.Spec.Replicas) != replicas {
		t.Errorf("query: replicas %v, want %d", query.Spec.Replicas, replicas)
	}
	pdbs := 0
	for _, m := range ms {
		if p, ok := m.obj.(*policyv1.PodDisruptionBudget); ok {
			pdbs++
			if !subset(p.Spec.Selector.MatchLabels, query.Spec.Template.Labels) {
				t.Errorf("PodDisruptionBudget %s does not select the query pods", p.Name)
			}
		}
	}
	if want := replicas > 1; (pdbs == 1) != want {
		t.Errorf("query: %d PodDisruptionBudgets for %d replicas", pdbs, replicas)
	}
	checkCA(t, spec, c, vals)
	checkIdentity(t, ms, query, vals)

	if (lookup(vals, "webhook.enabled") == true) != (webhook != nil) {
		t.Fatalf("webhook Deployment rendered: %v, webhook.enabled: %v", webhook != nil, lookup(vals, "webhook.enabled"))
	}
	if webhook != nil {
		wc := webhook.Spec.Template.Spec.Containers[0]
		we := env(wc)
		if strings.Join(wc.Command, " ") != "/usr/local/bin/fedcost ingest-webhook" {
			t.Errorf("webhook: command %v", wc.Command)
		}
		if we["FEDCOST_WEBHOOK_TOKEN_FILE"] != "/etc/fedcost/webhook/token" || mountPath(wc, "token") != "/etc/fedcost/webhook" {
			t.Errorf("webhook: the bearer token must be mounted at FEDCOST_WEBHOOK_TOKEN_FILE")
		}
		if _, err := time.ParseDuration(we["FEDCOST_RECONCILE_INTERVAL"]); err != nil {
			t.Errorf("webhook: FEDCOST_RECONCILE_INTERVAL: %v", err)
		}
		if want := str(lookup(vals, "webhook.federatedStorageConfigSecret")); want != "" {
			if v := volume(webhook.Spec.Template.Spec, "store"); v == nil || v.Secret.SecretName != want {
				t.Errorf("webhook: store Secret must be %q", want)
			}
		}
		if want := str(lookup(vals, "webhook.serviceAccountName")); want != "" && webhook.Spec.Template.Spec.ServiceAccountName != want {
			t.Errorf("webhook: service account %q, want %q", webhook.Spec.Template.Spec.ServiceAccountName, want)
		}
		checkCA(t, webhook.Spec.Template.Spec, wc, vals)
		found := false
		for _, s := range services(ms) {
			found = found || subset(s.Spec.Selector, webhook.Spec.Template.Labels)
		}
		if !found {
			t.Errorf("webhook: no Service for the /events endpoint")
		}
	}
	k := kinds(ms)
	for value, kind := range map[string]string{"ingress.enabled": "Ingress", "serviceMonitor.enabled": "ServiceMonitor", "prometheusRule.enabled": "PrometheusRule"} {
		if (lookup(vals, value) == true) != (k[kind] == 1) {
			t.Errorf("query: %s rendered %d times with %s=%v", kind, k[kind], value, lookup(vals, value))
		}
	}
}

// TestHelmRejectsBadValues: the schema refuses values files without a valid cluster id, and typos.
func TestHelmRejectsBadValues(t *testing.T) {
	t.Parallel()
	helm := helmTool(t)
	cases := []struct {
		chart, file, want string
	}{
		{"fedcost-agent", "agent-missing-cluster-id.yaml", "clusterId"},
		{"fedcost-agent", "agent-empty-cluster-id.yaml", "clusterId"},
		{"fedcost-agent", "agent-bad-cluster-id.yaml", "clusterId"},
		{"fedcost-agent", "agent-reserved-cluster-id.yaml", "clusterId"},
		{"fedcost-agent", "agent-long-cluster-id.yaml", "clusterId"},
		{"fedcost-agent", "agent-typo.yaml", "clusterID"},
		{"fedcost-agent", "agent-bad-source.yaml", "source"},
		{"fedcost-agent", "agent-bad-install-id.yaml", "installId"},
		{"fedcost-query", "query-bad-duration.yaml", "staleAfter"},
		{"fedcost-query", "query-typo.yaml", "replicas"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			values := filepath.Join(infraDir(t), "infratest", "testdata", tc.file)
			out, err := helmTemplate(t, helm, tc.chart, values)
			if err == nil {
				t.Fatalf("helm template accepted %s:\n%s", tc.file, out)
			}
			if !strings.Contains(out, "schema") || !strings.Contains(out, tc.want) {
				t.Fatalf("helm template refused %s, but not by the schema naming %q:\n%s", tc.file, tc.want, out)
			}
		})
	}
}

// TestHelmDefaultValuesNeedClusterID: the agent chart's own values.yaml has no cluster id, so
// installing without one fails.
func TestHelmDefaultValuesNeedClusterID(t *testing.T) {
	t.Parallel()
	helm := helmTool(t)
	out, err := runErr(chartDir(t, "fedcost-agent"), nil, helm, "template", "fedcost", ".", "--kube-version", kubeVersion)
	if err == nil || !strings.Contains(out, "clusterId") {
		t.Fatalf("the agent chart must refuse to render without clusterId: err=%v\n%s", err, out)
	}
}
