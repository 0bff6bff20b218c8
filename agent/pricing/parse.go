package pricing

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fedcost/fedcost/shared/cost"
)

// ignoredKeys are OpenCost/Kubecost custom-pricing keys fedcost accepts and does not use
// (network egress, cloud billing integration, discounts).
var ignoredKeys = []string{
	"description", "zoneNetworkEgress", "regionNetworkEgress", "internetNetworkEgress",
	"firstFiveForwardingRulesCost", "additionalForwardingRuleCost", "LBIngressDataCost",
	"gpuLabel", "gpuLabelValue", "customPricesEnabled", "defaultIdle", "currencyCode",
	"discount", "negotiatedDiscount", "sharedOverhead", "shareTenancyCosts", "clusterName",
	"region", "projectID", "awsServiceKeyName", "awsServiceKeySecret", "awsSpotDataRegion",
	"awsSpotDataBucket", "awsSpotDataPrefix", "athenaBucketName", "athenaRegion",
	"athenaDatabase", "athenaTable", "athenaWorkgroup", "masterPayerARN",
	"azureSubscriptionID", "azureClientID", "azureClientSecret", "azureTenantID",
	"azureBillingRegion", "azureOfferDurableID",
}

// priceKeys maps a file key to the Table field it sets. storage is per GiB-month.
var priceKeys = map[string]func(t *Table) *float64{
	"CPU":               func(t *Table) *float64 { return &t.OnDemand.CPU },
	"RAM":               func(t *Table) *float64 { return &t.OnDemand.RAM },
	"GPU":               func(t *Table) *float64 { return &t.OnDemand.GPU },
	"spotCPU":           func(t *Table) *float64 { return &t.Spot.CPU },
	"spotRAM":           func(t *Table) *float64 { return &t.Spot.RAM },
	"spotGPU":           func(t *Table) *float64 { return &t.Spot.GPU },
	"storage":           func(t *Table) *float64 { return &t.StorageGiBHour },
	"clusterManagement": func(t *Table) *float64 { return &t.ClusterManagementHourly },
	"loadBalancer":      func(t *Table) *float64 { return &t.LoadBalancerHourly },
}

var stringKeys = map[string]func(t *Table) *string{
	"provider":          func(t *Table) *string { return &t.Provider },
	"spotLabel":         func(t *Table) *string { return &t.SpotLabel },
	"spotLabelValue":    func(t *Table) *string { return &t.SpotLabelValue },
	"instanceTypeLabel": func(t *Table) *string { return &t.InstanceTypeLabel },
}

// Load reads and parses a pricing file.
func Load(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pricing file: %w", err)
	}
	return Parse(path, b)
}

// Parse parses a pricing file (JSON or YAML; JSON is YAML) over Default(). name prefixes
// error messages. Prices may be numbers or numeric strings (OpenCost writes strings); an empty
// string keeps the default.
func Parse(name string, data []byte) (*Table, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("pricing file %s: %w", name, err)
	}
	t := Default()
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return t, nil // empty file: defaults
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("pricing file %s:%d: want a mapping of keys to prices", name, root.Line)
	}
	var errs []error
	fail := func(n *yaml.Node, key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: %s", name, n.Line, key, fmt.Sprintf(format, args...)))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		if seen[key] {
			fail(k, key, "duplicate key")
			continue
		}
		seen[key] = true
		switch {
		case priceKeys[key] != nil:
			p, set, err := price(v)
			if err != nil {
				fail(v, key, "%v", err)
			} else if set {
				if key == "storage" {
					p /= cost.HoursPerMonth
				}
				*priceKeys[key](t) = p
			}
		case stringKeys[key] != nil:
			if v.Kind != yaml.ScalarNode || v.Tag == "!!map" || v.Tag == "!!seq" {
				fail(v, key, "want a string")
				continue
			}
			*stringKeys[key](t) = v.Value
		case key == "instanceTypes":
			its, err := instanceTypes(name, v)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			t.InstanceTypes = its
		case slices.Contains(ignoredKeys, key):
		default:
			fail(k, key, "unknown key (known: %s)", strings.Join(knownKeys(), ", "))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if t.InstanceTypeLabel == "" {
		t.InstanceTypeLabel = DefaultInstanceTypeLabel
	}
	if t.SpotLabelValue != "" && t.SpotLabel == "" {
		return nil, fmt.Errorf("pricing file %s: key \"spotLabelValue\": set without spotLabel", name)
	}
	return t, nil
}

func instanceTypes(name string, v *yaml.Node) (map[string]Override, error) {
	if v.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("pricing file %s:%d: key \"instanceTypes\": want a mapping of instance type to {CPU, RAM, GPU}", name, v.Line)
	}
	out := map[string]Override{}
	var errs []error
	for i := 0; i+1 < len(v.Content); i += 2 {
		tk, tv := v.Content[i], v.Content[i+1]
		path := "instanceTypes." + tk.Value
		if _, dup := out[tk.Value]; dup {
			errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: duplicate key", name, tk.Line, path))
			continue
		}
		if tv.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: want a mapping with CPU, RAM, GPU", name, tv.Line, path))
			continue
		}
		var o Override
		seen := map[string]bool{}
		for j := 0; j+1 < len(tv.Content); j += 2 {
			rk, rv := tv.Content[j], tv.Content[j+1]
			rpath := path + "." + rk.Value
			if seen[rk.Value] {
				errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: duplicate key", name, rk.Line, rpath))
				continue
			}
			seen[rk.Value] = true
			var dst **float64
			switch rk.Value {
			case "CPU":
				dst = &o.CPU
			case "RAM":
				dst = &o.RAM
			case "GPU":
				dst = &o.GPU
			default:
				errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: unknown key (known: CPU, RAM, GPU)", name, rk.Line, rpath))
				continue
			}
			p, set, err := price(rv)
			if err != nil {
				errs = append(errs, fmt.Errorf("pricing file %s:%d: key %q: %v", name, rv.Line, rpath, err))
			} else if set {
				*dst = &p
			}
		}
		out[tk.Value] = o
	}
	return out, errors.Join(errs...)
}

// price reads a non-negative finite number from a number or a numeric string; "" is unset.
func price(v *yaml.Node) (p float64, set bool, err error) {
	if v.Kind != yaml.ScalarNode {
		return 0, false, errors.New("want a number")
	}
	s := strings.TrimSpace(v.Value)
	if s == "" || v.Tag == "!!null" {
		return 0, false, nil
	}
	switch strings.ToLower(s) {
	case ".nan", ".inf", "+.inf", "-.inf":
		return 0, false, fmt.Errorf("%q is not a finite number", v.Value)
	}
	if v.Tag == "!!bool" {
		return 0, false, fmt.Errorf("%q is not a number", v.Value)
	}
	p, perr := strconv.ParseFloat(s, 64)
	switch {
	case perr != nil:
		return 0, false, fmt.Errorf("%q is not a number", v.Value)
	case math.IsNaN(p) || math.IsInf(p, 0):
		return 0, false, fmt.Errorf("%q is not a finite number", v.Value)
	case p < 0:
		return 0, false, fmt.Errorf("%s is negative", v.Value)
	}
	return p, true, nil
}

func knownKeys() []string {
	var ks []string
	for k := range priceKeys {
		ks = append(ks, k)
	}
	for k := range stringKeys {
		ks = append(ks, k)
	}
	ks = append(ks, "instanceTypes")
	slices.Sort(ks)
	return ks
}
