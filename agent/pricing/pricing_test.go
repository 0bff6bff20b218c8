package pricing

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	d := Default()
	checks := []struct {
		name      string
		got, want float64
	}{
		{"CPU", d.OnDemand.CPU, 0.031611},
		{"RAM", d.OnDemand.RAM, 0.004237},
		{"GPU", d.OnDemand.GPU, 0.95},
		{"spotCPU", d.Spot.CPU, 0.006655},
		{"spotRAM", d.Spot.RAM, 0.000892},
		{"spotGPU", d.Spot.GPU, 0.95},
		{"storage per GiB-hour", d.StorageGiBHour, 0.04 / 730},
		{"clusterManagement", d.ClusterManagementHourly, 0.10},
		{"loadBalancer", d.LoadBalancerHourly, 0.025},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if d.Provider != "custom" || d.InstanceTypeLabel != "node.kubernetes.io/instance-type" {
		t.Errorf("provider %q label %q", d.Provider, d.InstanceTypeLabel)
	}
}

func TestParseFiles(t *testing.T) {
	t.Parallel()
	oc, err := Load(filepath.Join("testdata", "opencost-style.json"))
	if err != nil {
		t.Fatal(err)
	}
	if oc.OnDemand.CPU != 0.031611 || oc.Spot.RAM != 0.000892 || math.Abs(oc.StorageGiBHour-0.04/730) > 1e-15 {
		t.Errorf("opencost-style: %+v", oc)
	}
	full, err := Load(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Table{
		Provider: "onprem", OnDemand: Prices{0.02, 0.003, 2.5}, Spot: Prices{0.005, 0.0007, 0.8},
		StorageGiBHour: 0.1 / 730, ClusterManagementHourly: 0, LoadBalancerHourly: 0.02,
		SpotLabel: "lifecycle", SpotLabelValue: "Ec2Spot", InstanceTypeLabel: "example.com/sku",
	}
	got := *full
	got.InstanceTypes = nil
	if math.Abs(got.StorageGiBHour-want.StorageGiBHour) < 1e-15 {
		want.StorageGiBHour = got.StorageGiBHour
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("full.yaml:\n got %+v\nwant %+v", got, want)
	}
	if o := full.InstanceTypes["gpu-box"]; o.GPU == nil || *o.GPU != 1.9 || o.CPU != nil || o.RAM != nil {
		t.Errorf("gpu-box override = %+v", o)
	}
	empty, err := Parse("empty", nil)
	if err != nil || !reflect.DeepEqual(empty, Default()) {
		t.Errorf("empty file: %+v %v", empty, err)
	}
}

func TestParseBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want string
	}{
		{"cpu-not-number.json", `cpu-not-number.json:1: key "CPU": "abc" is not a number`},
		{"ram-negative.json", `key "RAM": -1 is negative`},
		{"duplicate.json", `key "CPU": duplicate key`},
		{"storage-list.yaml", `storage-list.yaml:1: key "storage": want a number`},
		{"unknown-key.yaml", `key "cpu": unknown key (known: CPU, GPU, RAM, clusterManagement`},
		{"instance-unknown.yaml", `instance-unknown.yaml:4: key "instanceTypes.m5.large.Memory": unknown key (known: CPU, RAM, GPU)`},
		{"instance-not-map.yaml", `key "instanceTypes.m5.large": want a mapping with CPU, RAM, GPU`},
		{"gpu-nan.yaml", `key "GPU": ".nan" is not a finite number`},
		{"spot-value-without-label.yaml", `key "spotLabelValue": set without spotLabel`},
		{"not-a-map.yaml", `not-a-map.yaml:1: want a mapping of keys to prices`},
		{"cpu-bool.yaml", `key "CPU": "true" is not a number`},
		{"yaml-syntax.yaml", `pricing file testdata/bad/yaml-syntax.yaml: yaml:`},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "bad", tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
	files, _ := os.ReadDir(filepath.Join("testdata", "bad"))
	for _, f := range files {
		if !seen[f.Name()] {
			t.Errorf("testdata/bad/%s has no expected message", f.Name())
		}
	}
}

func TestForNodePrecedence(t *testing.T) {
	t.Parallel()
	tab, err := Parse("t.yaml", []byte(`
CPU: 0.03
RAM: 0.004
GPU: 0.9
spotCPU: 0.01
spotRAM: 0.001
spotGPU: 0.3
instanceTypes:
  c5.large: {CPU: 0.04}
  p3.2xlarge: {GPU: 3.06, RAM: 0.005}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   NodePrices
	}{
		{"no labels: on-demand", nil,
			NodePrices{Prices: Prices{0.03, 0.004, 0.9}, CPUFrom: FromOnDemand, RAMFrom: FromOnDemand, GPUFrom: FromOnDemand}},
		{"karpenter spot", map[string]string{"karpenter_sh_capacity_type": "spot"},
			NodePrices{Prices: Prices{0.01, 0.001, 0.3}, CPUFrom: FromSpot, RAMFrom: FromSpot, GPUFrom: FromSpot, Spot: true}},
		{"EKS spot, raw label key", map[string]string{"eks.amazonaws.com/capacityType": "SPOT"},
			NodePrices{Prices: Prices{0.01, 0.001, 0.3}, CPUFrom: FromSpot, RAMFrom: FromSpot, GPUFrom: FromSpot, Spot: true}},
		{"GKE on-demand label value", map[string]string{"cloud_google_com_gke_spot": "false"},
			NodePrices{Prices: Prices{0.03, 0.004, 0.9}, CPUFrom: FromOnDemand, RAMFrom: FromOnDemand, GPUFrom: FromOnDemand}},
		{"instance type over spot default, per resource", map[string]string{"node_kubernetes_io_instance_type": "c5.large", "karpenter_sh_capacity_type": "spot"},
			NodePrices{Prices: Prices{0.04, 0.001, 0.3}, CPUFrom: FromInstanceType, RAMFrom: FromSpot, GPUFrom: FromSpot, Spot: true, InstanceType: "c5.large"}},
		{"legacy instance-type label", map[string]string{"beta_kubernetes_io_instance_type": "p3.2xlarge"},
			NodePrices{Prices: Prices{0.03, 0.005, 3.06}, CPUFrom: FromOnDemand, RAMFrom: FromInstanceType, GPUFrom: FromInstanceType, InstanceType: "p3.2xlarge"}},
		{"unknown instance type", map[string]string{"node_kubernetes_io_instance_type": "m9.huge"},
			NodePrices{Prices: Prices{0.03, 0.004, 0.9}, CPUFrom: FromOnDemand, RAMFrom: FromOnDemand, GPUFrom: FromOnDemand, InstanceType: "m9.huge"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tab.ForNode(tt.labels); got != tt.want {
				t.Errorf("ForNode:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCustomSpotLabel(t *testing.T) {
	t.Parallel()
	tab, err := Parse("t.yaml", []byte("spotLabel: lifecycle\nspotLabelValue: Ec2Spot\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !tab.IsSpot(map[string]string{"lifecycle": "ec2spot"}) {
		t.Error("custom spot label not matched (values compare case-insensitively)")
	}
	if tab.IsSpot(map[string]string{"karpenter_sh_capacity_type": "spot"}) {
		t.Error("a configured spotLabel replaces the well-known labels")
	}
	anyValue, _ := Parse("t.yaml", []byte("spotLabel: example.com/spot\n"))
	if !anyValue.IsSpot(map[string]string{"example_com_spot": "yes"}) {
		t.Error("spotLabel without value: presence marks spot")
	}
}

func TestSanitizeLabelName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"node.kubernetes.io/instance-type": "node_kubernetes_io_instance_type",
		"app":                              "app",
		"a-b_c9":                           "a_b_c9",
	} {
		if got := SanitizeLabelName(in); got != want {
			t.Errorf("SanitizeLabelName(%q) = %q, want %q", in, got, want)
		}
	}
}
