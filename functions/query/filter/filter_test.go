package filter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fedcost/fedcost/shared/cost"
)

func alloc() *cost.Allocation {
	return &cost.Allocation{Name: "x", Properties: &cost.AllocationProperties{
		Cluster: "cluster-one", Node: "node-1", Namespace: "kubecost", Pod: "cost-analyzer-abc",
		Container: "cost-model", Controller: "cost-analyzer", ControllerKind: "deployment",
		Services: []string{"svc-a", "svc-b"}, ProviderID: "i-123",
		Labels:      map[string]string{"app": "cost-analyzer", "app_kubernetes_io_name": "kc", "env": "prod"},
		Annotations: map[string]string{"owner": "alice", "team": ""},
	}}
}

func TestAllocationFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		filter string
		want   bool
	}{
		{``, true},
		{`   `, true},
		{`cluster:"cluster-one"`, true},
		{`cluster:"cluster-two"`, false},
		{`cluster!:"cluster-one"`, false},
		{`cluster!:"cluster-two"`, true},
		{`namespace:"kubecost","kube-system"`, true},
		{`namespace!:"kubecost","kube-system"`, false},
		{`namespace!:"a","b"`, true},
		{`namespace~:"cost"`, true},
		{`namespace!~:"cost"`, false},
		{`pod<~:"cost-"`, true},
		{`pod!<~:"cost-"`, false},
		{`pod~>:"-abc"`, true},
		{`pod!~>:"-abc"`, false},
		{`pod~>:"-abd","abc"`, true},
		{`controllerName:"cost-analyzer"+controllerKind:"deployment"`, true},
		{`container:"cost-model"+node:"node-2"`, false},
		{`container:"nope"|node:"node-1"`, true},
		{`(namespace:"a"|namespace:"kubecost")+cluster:"cluster-one"`, true},
		{`(namespace:"a"|namespace:"b")+cluster:"cluster-one"`, false},
		{`provider:"i-123"`, true},
		{`providerID:"i-1"`, false},
		{`services:"svc-b"`, true},
		{`services:"svc"`, false},
		{`services~:"svc"`, true},
		{`services!:"svc-a"`, false},
		{`label[app]:"cost-analyzer"`, true},
		{`label[app.kubernetes.io/name]:"kc"`, true},
		{`label["app.kubernetes.io/name"]:"kc"`, true},
		{`label[missing]:"__unallocated__"`, true},
		{`label[app]:"__unallocated__"`, false},
		{`label[missing]!:"x"`, true},
		{`label:"app"`, true},
		{`label:"app.kubernetes.io/name"`, true},
		{`label:"nope"`, false},
		{`label!:"nope"`, true},
		{`annotation[owner]:"alice"`, true},
		{`environment:"prod"`, true}, // env label
		{`owner:"alice"`, true},      // owner annotation
		{`product:"cost-analyzer"`, true},
		{`team:"__unallocated__"`, true}, // empty annotation
		{`department:"x"`, false},
		{`namespace:"__unallocated__"`, false},
		{" cluster : \"cluster-one\" \n+ namespace:\"kubecost\"", true},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			t.Parallel()
			_, m, err := ParseAllocation(c.filter, cost.DefaultLabelConfig())
			if err != nil {
				t.Fatal(err)
			}
			if got := m(alloc()); got != c.want {
				t.Errorf("match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestUnallocatedMatchesEmpty(t *testing.T) {
	t.Parallel()
	_, m, err := ParseAllocation(`namespace:"__unallocated__"`, cost.DefaultLabelConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !m(&cost.Allocation{}) || !m(&cost.Allocation{Properties: &cost.AllocationProperties{Cluster: "c"}}) {
		t.Error("empty namespace should match __unallocated__")
	}
}

func TestCustomLabelConfig(t *testing.T) {
	t.Parallel()
	lc := cost.DefaultLabelConfig()
	lc.Team = "squad, app.kubernetes.io/name"
	_, m, err := ParseAllocation(`team:"kc"`, lc)
	if err != nil {
		t.Fatal(err)
	}
	if !m(alloc()) {
		t.Error("team alias should read the second configured label")
	}
}

func asset() *cost.Asset {
	return &cost.Asset{Type: cost.NodeAssetType, Properties: cost.AssetProperties{
		Category: "Compute", Provider: "AWS", Account: "acct", Project: "proj", Service: "Kubernetes",
		Cluster: "c1", Name: "node-1", ProviderID: "i-1"},
		Labels: map[string]string{"label_topology_kubernetes_io_zone": "us-east-1a", "team": "infra"}}
}

func TestAssetFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		filter string
		want   bool
	}{
		{`assetType:"node"`, true},
		{`assetType:"Node"`, true},
		{`assetType:"disk"`, false},
		{`name:"node-1"+cluster:"c1"`, true},
		{`category:"Compute"+provider:"AWS"+account:"acct"+project:"proj"+service:"Kubernetes"+providerID:"i-1"`, true},
		{`label[topology.kubernetes.io/zone]:"us-east-1a"`, true},
		{`label[team]:"infra"`, true},
		{`team:"infra"`, true},
		{`owner:"__unallocated__"`, true},
		{`provider!:"GCP","Azure"`, true},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			t.Parallel()
			_, m, err := ParseAsset(c.filter, cost.DefaultLabelConfig())
			if err != nil {
				t.Fatal(err)
			}
			if got := m(asset()); got != c.want {
				t.Errorf("match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		filter string
		asset  bool
		pos    int
		want   string
	}{
		{`namespace:"a"+cluster:"b"|node:"c"`, false, 25, "cannot mix '+' and '|'"},
		{`namespace:"a"|cluster:"b"+node:"c"`, false, 25, "cannot mix '+' and '|'"},
		{`namespace="a"`, false, 9, "unexpected character"},
		{`namespace:a`, false, 10, "expected a quoted value"},
		{`namespace:"a`, false, 10, "unterminated string"},
		{`namespace "a"`, false, 10, "expected an operator"},
		{`namespace:"a",`, false, 14, "expected a quoted value"},
		{`(namespace:"a"`, false, 14, "expected ')'"},
		{`namespace:"a")`, false, 13, "unexpected ')'"},
		{`()`, false, 1, "expected a field name or '('"},
		{`+namespace:"a"`, false, 0, "expected a field name"},
		{`namespace!!:"a"`, false, 9, "unknown operator"},
		{`label[:"a"`, false, 5, "unterminated '['"},
		{`label[]:"a"`, false, 5, "empty key"},
		{`nmspace:"a"`, false, 0, `unknown allocation field "nmspace"; valid fields are annotation[<key>], cluster,`},
		{`cluster:"a"+assetType:"node"`, false, 12, `unknown allocation field "assetType"`},
		{`namespace:"a"`, true, 0, `unknown asset field "namespace"; valid fields are account, assetType,`},
		{`namespace[x]:"a"`, false, 0, `does not take a [key]`},
		{strings.Repeat("(", 100) + `a:"b"` + strings.Repeat(")", 100), false, 64, "nested deeper"},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			t.Parallel()
			var err error
			if c.asset {
				_, _, err = ParseAsset(c.filter, cost.DefaultLabelConfig())
			} else {
				_, _, err = ParseAllocation(c.filter, cost.DefaultLabelConfig())
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if fe.Pos != c.pos || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %q (pos %d), want position %d and %q", err, fe.Pos, c.pos, c.want)
			}
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`namespace:"a","b"`,
		`(namespace:"a"|namespace:"b")+cluster:"c"`,
		`label[app]!~>:"x"+(node<~:"n"|pod!<~:"p"|container~:"c")`,
	} {
		n, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if n.String() != s {
			t.Errorf("String() = %q, want %q", n.String(), s)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		`namespace:"a"`, `(namespace:"a"|namespace:"b")+cluster:"c"`, `label[app]!~>:"x","y"`,
		`a:"b"+c:"d"|e:"f"`, `((((`, `label["x.y/z"]:"__unallocated__"`,
	} {
		f.Add(s)
	}
	lc := cost.DefaultLabelConfig()
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		// The canonical form parses to the same canonical form.
		if n != nil {
			n2, err := Parse(n.String())
			if err != nil {
				t.Fatalf("canonical %q of %q does not parse: %v", n.String(), s, err)
			}
			if n2.String() != n.String() {
				t.Fatalf("canonical form not stable: %q → %q", n.String(), n2.String())
			}
		}
		if m, err := CompileAllocation(n, lc); err == nil {
			m(alloc())
			m(&cost.Allocation{})
		}
		if m, err := CompileAsset(n, lc); err == nil {
			m(asset())
		}
	})
}

func TestRestriction(t *testing.T) {
	for _, tc := range []struct {
		filter string
		want   []string // nil: no restriction
	}{
		{`cluster:"a"`, []string{"a"}},
		{`cluster:"b","a"`, []string{"a", "b"}},
		{`cluster:"a"+namespace:"x"`, []string{"a"}},
		{`namespace:"x"+(cluster:"a"|cluster:"b")`, []string{"a", "b"}},
		{`cluster:"a","b"+cluster:"b","c"`, []string{"b"}},
		{`cluster:"a"+cluster:"b"`, []string{}},
		{`cluster:"a"|namespace:"x"`, nil},
		{`cluster!:"a"`, nil},
		{`cluster~:"a"`, nil},
		{`cluster<~:"a"`, nil},
		{`cluster:"__unallocated__"`, nil},
		{`namespace:"x"`, nil},
		{`label[cluster]:"a"`, nil},
	} {
		n, err := Parse(tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		got, ok := Restriction(n, "cluster")
		if ok != (tc.want != nil) || (ok && !slices.Equal(got, tc.want)) {
			t.Errorf("Restriction(%s) = %q, %v; want %q", tc.filter, got, ok, tc.want)
		}
	}
	if _, ok := Restriction(nil, "cluster"); ok {
		t.Error("a nil filter restricts")
	}
}
