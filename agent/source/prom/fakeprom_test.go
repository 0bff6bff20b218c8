package prom

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeCluster is a synthetic cluster served by fakeProm through the Prometheus query API, so
// tests and benchmarks exercise the source's processing without a Prometheus. It answers
// exactly the queries the source renders: a request is matched by re-rendering the query
// templates for the chunk named in its matchers.
type fakeCluster struct {
	namespaces   int
	podsPerNS    int
	nodes        int
	start, end   time.Time
	step         time.Duration
	clusterLabel string // matcher the source adds, "" for none
	clusterValue string
}

// pod i of namespace n: "<deploy>-<rs>-<i>", two containers (app, sidecar), node i%nodes,
// every 10th pod mounts a claim, pods of deployment d are behind service svc-d.
func (f *fakeCluster) nsName(n int) string { return "ns-" + strconv.Itoa(n) }
func (f *fakeCluster) podName(n, i int) string {
	return "app" + strconv.Itoa(i%20) + "-5f7c9-" + strconv.Itoa(n) + "x" + strconv.Itoa(i)
}

type fakeProm struct {
	f     *fakeCluster
	mu    sync.Mutex
	cache map[string][]byte
}

func newFakeProm(f *fakeCluster) *fakeProm { return &fakeProm{f: f, cache: map[string][]byte{}} }

var (
	nsEq   = regexp.MustCompile(`namespace="([^"]*)"`)
	nsRe   = regexp.MustCompile(`namespace=~"([^"]*)"`)
	podPre = regexp.MustCompile(`pod=~"\(\?:([^"]*)\)\.\*"`)
)

func (p *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	expr := r.PostForm.Get("query")
	p.mu.Lock()
	body, ok := p.cache[expr]
	p.mu.Unlock()
	if !ok {
		var err error
		body, err = p.render(expr)
		if err != nil {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, err.Error())
			return
		}
		p.mu.Lock()
		p.cache[expr] = body
		p.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// identify finds which query expr is and the chunk it covers.
func (p *fakeProm) identify(expr string) (string, chunk, bool) {
	var c chunk
	if m := nsRe.FindStringSubmatch(expr); m != nil {
		c.Namespaces = strings.Split(m[1], "|")
	} else if m := nsEq.FindStringSubmatch(expr); m != nil {
		c.Namespaces = []string{m[1]}
	}
	if m := podPre.FindStringSubmatch(expr); m != nil {
		c.PodFirst = strings.Split(m[1], "|")
	}
	var cl []matcher
	if p.f.clusterLabel != "" {
		cl = []matcher{{p.f.clusterLabel, "=", p.f.clusterValue}}
	}
	q := newQueries(scope{cluster: cl, chunk: c}, p.f.end.Sub(p.f.start), p.f.step, DefaultRateWindow)
	all := append(q.containerQueries(), q.namespaceQueries()...)
	all = append(all, q.clusterQueries()...)
	all = append(all, q.planQuery())
	for _, nq := range all {
		if nq.Expr == expr {
			return nq.Name, c, true
		}
	}
	return "", c, false
}

type vecWriter struct {
	b bytes.Buffer
	n int
	t string
}

func (v *vecWriter) add(val float64, kv ...string) {
	if v.n > 0 {
		v.b.WriteByte(',')
	}
	v.n++
	v.b.WriteString(`{"metric":{`)
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			v.b.WriteByte(',')
		}
		v.b.WriteString(strconv.Quote(kv[i]))
		v.b.WriteByte(':')
		v.b.WriteString(strconv.Quote(kv[i+1]))
	}
	v.b.WriteString(`},"value":[`)
	v.b.WriteString(v.t)
	v.b.WriteString(`,"`)
	v.b.WriteString(strconv.FormatFloat(val, 'g', -1, 64))
	v.b.WriteString(`"]}`)
}

func (p *fakeProm) render(expr string) ([]byte, error) {
	name, c, ok := p.identify(expr)
	if !ok {
		return nil, fmt.Errorf("fake prometheus: unknown query %s", expr)
	}
	f := p.f
	v := &vecWriter{t: strconv.FormatInt(f.end.Unix()-1, 10)}
	steps := float64(f.end.Sub(f.start) / f.step)
	first, last := float64(f.start.Unix()), float64(f.end.Add(-f.step).Unix())
	inChunk := func(ns, pod string) bool {
		if len(c.PodFirst) == 0 {
			return true
		}
		for _, pf := range c.PodFirst {
			if strings.HasPrefix(pod, pf) {
				return true
			}
		}
		return false
	}
	nss := c.Namespaces
	eachPod := func(fn func(ns string, i int, pod string)) {
		for _, ns := range nss {
			n, _ := strconv.Atoi(strings.TrimPrefix(ns, "ns-"))
			for i := range f.podsPerNS {
				pod := f.podName(n, i)
				if inChunk(ns, pod) {
					fn(ns, i, pod)
				}
			}
		}
	}
	eachContainer := func(fn func(ns, pod, ctr string)) {
		eachPod(func(ns string, _ int, pod string) {
			fn(ns, pod, "app")
			fn(ns, pod, "sidecar")
		})
	}
	switch name {
	case qPlanChunks:
		for n := range f.namespaces {
			counts := map[string]int{}
			for i := range f.podsPerNS {
				counts[f.podName(n, i)[:1]] += 2
			}
			for fc, k := range counts {
				v.add(float64(k), "namespace", f.nsName(n), "first", fc)
			}
		}
	case qRunSteps, qRunFirst, qRunLast, qCPUReq, qRAMReq, qGPUReq, qCPUUse, qCPUMax, qRAMUse, qRAMMax:
		val := map[string]float64{qRunSteps: steps, qRunFirst: first, qRunLast: last, qCPUReq: 0.25, qRAMReq: 256 << 20,
			qCPUUse: 0.1, qCPUMax: 0.4, qRAMUse: 300 << 20, qRAMMax: 400 << 20}
		if name == qGPUReq {
			break
		}
		eachContainer(func(ns, pod, ctr string) { v.add(val[name], "namespace", ns, "pod", pod, "container", ctr) })
	case qNetRx, qNetTx:
		eachPod(func(ns string, _ int, pod string) { v.add(1e6, "namespace", ns, "pod", pod) })
	case qPodInfo:
		eachPod(func(ns string, i int, pod string) {
			v.add(1, "namespace", ns, "pod", pod, "uid", "u-"+pod, "node", "node-"+strconv.Itoa(i%f.nodes), "pod_ip", "10."+ns+"."+strconv.Itoa(i))
		})
	case qPodOwner:
		eachPod(func(ns string, i int, pod string) {
			v.add(1, "namespace", ns, "pod", pod, "owner_kind", "ReplicaSet", "owner_name", "app"+strconv.Itoa(i%20)+"-5f7c9")
		})
	case qPodLabel:
		eachPod(func(ns string, i int, pod string) {
			v.add(1, "__name__", "kube_pod_labels", "namespace", ns, "pod", pod, "uid", "u-"+pod, "label_app", "app"+strconv.Itoa(i%20),
				"label_team", "team-"+strconv.Itoa(i%7), "label_env", "prod", "label_version", "v1", "label_pod_template_hash", "5f7c9")
		})
	case qPodAnno:
		eachPod(func(ns string, _ int, pod string) {
			v.add(1, "__name__", "kube_pod_annotations", "namespace", ns, "pod", pod, "annotation_owner", "someone")
		})
	case qPodPVC:
		eachPod(func(ns string, i int, pod string) {
			if i%10 == 0 {
				v.add(1, "namespace", ns, "pod", pod, "persistentvolumeclaim", "data-"+pod)
			}
		})
	case qEndpoints:
		eachPod(func(ns string, i int, pod string) {
			v.add(1, "namespace", ns, "endpoint", "svc-"+strconv.Itoa(i%20), "ip", "10."+ns+"."+strconv.Itoa(i))
		})
	case qRSOwner:
		for _, ns := range nss {
			for d := range 20 {
				v.add(1, "namespace", ns, "replicaset", "app"+strconv.Itoa(d)+"-5f7c9", "owner_kind", "Deployment", "owner_name", "app"+strconv.Itoa(d))
			}
		}
	case qJobOwner:
	case qNSLabel:
		for n := range f.namespaces {
			v.add(1, "namespace", f.nsName(n), "label_team", "t"+strconv.Itoa(n%5))
		}
	case qNodeSteps, qNodeFirst, qNodeLast:
		val := map[string]float64{qNodeSteps: steps, qNodeFirst: first, qNodeLast: last}[name]
		for i := range f.nodes {
			v.add(val, "node", "node-"+strconv.Itoa(i))
		}
	case qNodeCap:
		for i := range f.nodes {
			v.add(16, "node", "node-"+strconv.Itoa(i), "resource", "cpu")
			v.add(64<<30, "node", "node-"+strconv.Itoa(i), "resource", "memory")
		}
	case qNodeLabel:
		for i := range f.nodes {
			v.add(1, "node", "node-"+strconv.Itoa(i), "label_node_kubernetes_io_instance_type", "m5.4xlarge")
		}
	case qNodeInfo:
		for i := range f.nodes {
			v.add(1, "node", "node-"+strconv.Itoa(i), "provider_id", "aws:///i-"+strconv.Itoa(i))
		}
	case qPVSteps, qPVFirst, qPVLast, qPVCap, qPVCInfo:
		val := map[string]float64{qPVSteps: steps, qPVFirst: first, qPVLast: last, qPVCap: 10 << 30, qPVCInfo: 1}[name]
		for n := range f.namespaces {
			for i := 0; i < f.podsPerNS; i += 10 {
				pod := f.podName(n, i)
				if name == qPVCInfo {
					v.add(val, "namespace", f.nsName(n), "persistentvolumeclaim", "data-"+pod, "volumename", "pv-"+pod, "storageclass", "gp3")
				} else {
					v.add(val, "persistentvolume", "pv-"+pod)
				}
			}
		}
	case qLBSteps, qLBFirst, qLBLast:
		val := map[string]float64{qLBSteps: steps, qLBFirst: first, qLBLast: last}[name]
		for n := range f.namespaces {
			v.add(val, "namespace", f.nsName(n), "service", "svc-0")
		}
	}
	var out bytes.Buffer
	out.Grow(v.b.Len() + 80)
	out.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
	out.Write(v.b.Bytes())
	out.WriteString(`]}}`)
	return out.Bytes(), nil
}
