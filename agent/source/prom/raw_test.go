package prom

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestApplyIgnoresBadValues(t *testing.T) {
	t.Parallel()
	r := newRaw()
	for _, v := range []float64{math.NaN(), math.Inf(1), -0.5} {
		r.apply(qNodeCPU, sample{Metric: map[string]string{"node": "n"}, Value: pair{V: v}})
		r.apply(qCPUReq, sample{Metric: map[string]string{"namespace": "a", "pod": "p", "container": "c"}, Value: pair{V: v}})
	}
	if n := r.nodes["n"]; n != nil && n.cpuPrice != nil {
		t.Errorf("a non-finite or negative price was kept: %v", *n.cpuPrice)
	}
	if p := r.pods[nsName{"a", "p"}]; p != nil {
		t.Errorf("a non-finite or negative request was kept: %+v", p.containers["c"])
	}
	r.apply(qCPUReq, sample{Metric: map[string]string{"namespace": "a", "pod": "", "container": "c"}, Value: pair{V: 1}})
	if len(r.pods) != 0 {
		t.Errorf("a sample without pod label was kept")
	}
}

func TestPrefixedLimits(t *testing.T) {
	t.Parallel()
	m := map[string]string{
		"label_app": "web", "label_": "empty key", "uid": "x", "annotation_x": "not a label",
		"label_huge": strings.Repeat("v", maxLabelBytes+1),
	}
	got := prefixed(m, "label_")
	if len(got) != 1 || got["app"] != "web" {
		t.Errorf("prefixed = %v, want only app=web", got)
	}
	many := map[string]string{}
	for i := range maxLabels + 10 {
		many["label_k"+strconv.Itoa(i)] = "v"
	}
	if got := prefixed(many, "label_"); len(got) != maxLabels {
		t.Errorf("labels kept = %d, want %d", len(got), maxLabels)
	}
	if prefixed(map[string]string{"uid": "x"}, "label_") != nil {
		t.Error("no labels: want nil")
	}
}
