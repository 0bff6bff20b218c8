package pricing

import (
	"math"
	"testing"
)

// FuzzParse: any input either fails with an error or yields finite, non-negative prices.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"CPU": "0.1"}`, "RAM: 1\nstorage: 0.04\n", `{"instanceTypes": {"a": {"GPU": 2}}}`, `{"CPU": -1}`, "[1]", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := Parse("fuzz", b)
		if err != nil {
			return
		}
		vals := []float64{tab.OnDemand.CPU, tab.OnDemand.RAM, tab.OnDemand.GPU, tab.Spot.CPU, tab.Spot.RAM, tab.Spot.GPU,
			tab.StorageGiBHour, tab.ClusterManagementHourly, tab.LoadBalancerHourly}
		for _, o := range tab.InstanceTypes {
			for _, p := range []*float64{o.CPU, o.RAM, o.GPU} {
				if p != nil {
					vals = append(vals, *p)
				}
			}
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("accepted %q with price %v", b, v)
			}
		}
	})
}
