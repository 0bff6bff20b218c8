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
		r.apply(qNodeCPU, lbl("node", "n"), v)
		r.apply(qCPUReq, lbl("namespace", "a", "pod", "p", "container", "c"), v)
	}
	if n := r.nodes["n"]; n != nil && n.cpuPrice != nil {
		t.Errorf("a non-finite or negative price was kept: %v", *n.cpuPrice)
	}
	if p := r.pods[nsName{"a", "p"}]; p != nil {
		t.Errorf("a non-finite or negative request was kept: %+v", p.containers["c"])
	}
	r.apply(qCPUReq, lbl("namespace", "a", "pod", "", "container", "c"), 1)
	if len(r.pods) != 0 {
		t.Errorf("a sample without pod label was kept")
	}
}

func TestPrefixedLimits(t *testing.T) {
	t.Parallel()
	m := lbl("label_app", "web", "label_", "empty key", "uid", "x", "annotation_x", "not a label",
		"label_huge", strings.Repeat("v", maxLabelBytes+1))
	got := prefixed(m, "label_")
	if len(got) != 1 || got["app"] != "web" {
		t.Errorf("prefixed = %v, want only app=web", got)
	}
	var many labels
	for i := range maxLabels + 10 {
		many = append(many, labelPair{"label_k" + strconv.Itoa(i), "v"})
	}
	if got := prefixed(many, "label_"); len(got) != maxLabels {
		t.Errorf("labels kept = %d, want %d", len(got), maxLabels)
	}
	if prefixed(lbl("uid", "x"), "label_") != nil {
		t.Error("no labels: want nil")
	}
}

func lbl(kv ...string) labels {
	var l labels
	for i := 0; i+1 < len(kv); i += 2 {
		l = append(l, labelPair{kv[i], kv[i+1]})
	}
	return l
}

func TestLabelsUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    labels
		wantErr string
	}{
		{`{}`, labels{}, ""},
		{`{"namespace":"web","label_app":"a b"}`, lbl("namespace", "web", "label_app", "a b"), ""},
		{` { "a" : "x\"y" , "b":"\u00e9\/" } `, lbl("a", `x"y`, "b", "é/"), ""},
		{`{"a":1}`, nil, "want a string"},
		{`{"a" "b"}`, nil, "want ':'"},
		{`{"a":"b"`, nil, "want ',' or '}'"},
		{`{"a":"b`, nil, "unterminated string"},
		{`["a"]`, nil, "want '{'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l, err := parseLabels([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(l) != len(tt.want) {
				t.Fatalf("got %v, want %v", l, tt.want)
			}
			for i := range l {
				if l[i] != tt.want[i] {
					t.Errorf("got %v, want %v", l, tt.want)
				}
			}
		})
	}
	if got := lbl("a", "1", "b", "2").get("b"); got != "2" {
		t.Errorf("get = %q", got)
	}
}

func parseLabels(b []byte) (labels, error) {
	s := &scanner{b: b}
	var l labels
	if err := s.labels(&l); err != nil {
		return nil, err
	}
	if s.ws(); s.i != len(b) {
		return nil, s.fail("trailing data")
	}
	return l, nil
}
