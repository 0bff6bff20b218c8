package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/fedcost/fedcost/functions/query/engine"
	"github.com/fedcost/fedcost/shared/cost"
)

// csvBody is a CSV download.
type csvBody struct {
	name string
	data []byte
}

func (c csvBody) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.data)
}

func csvFloat(f float64) string {
	return string(appendFloat(nil, f, allocDecimals))
}

var allocationCSVHeader = []string{"windowStart", "windowEnd", "name", "start", "end", "minutes",
	"cpuCores", "cpuCoreHours", "cpuCost", "cpuCostAdjustment", "cpuEfficiency",
	"gpuCount", "gpuHours", "gpuCost", "gpuCostAdjustment",
	"ramBytes", "ramByteHours", "ramCost", "ramCostAdjustment", "ramEfficiency",
	"pvBytes", "pvByteHours", "pvCost", "pvCostAdjustment",
	"networkCost", "networkCostAdjustment", "loadBalancerCost", "loadBalancerCostAdjustment",
	"sharedCost", "externalCost", "totalCost", "totalEfficiency"}

// allocationCSV writes one row per allocation per set, sets in time order, rows by cost.
func allocationCSV(sets []*engine.Set, offset, limit int) csvBody {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(allocationCSVHeader)
	for _, s := range sets {
		for _, a := range engine.Page(s.Sorted(), offset, limit) {
			_ = w.Write([]string{s.Window.Start.Format(time.RFC3339), s.Window.End.Format(time.RFC3339), a.Name,
				a.Start.UTC().Format(time.RFC3339), a.End.UTC().Format(time.RFC3339), csvFloat(a.Minutes()),
				csvFloat(a.CPUCores()), csvFloat(a.CPUCoreHours), csvFloat(a.CPUCost), csvFloat(a.CPUCostAdjustment), csvFloat(a.CPUEfficiency()),
				csvFloat(a.GPUCount()), csvFloat(a.GPUHours), csvFloat(a.GPUCost), csvFloat(a.GPUCostAdjustment),
				csvFloat(a.RAMBytes()), csvFloat(a.RAMByteHours), csvFloat(a.RAMCost), csvFloat(a.RAMCostAdjustment), csvFloat(a.RAMEfficiency()),
				csvFloat(a.PVBytes()), csvFloat(a.PVByteHours()), csvFloat(a.PVCost()), csvFloat(a.PVCostAdjustment),
				csvFloat(a.NetworkCost), csvFloat(a.NetworkCostAdjustment), csvFloat(a.LoadBalancerCost), csvFloat(a.LoadBalancerCostAdjustment),
				csvFloat(a.SharedCost), csvFloat(a.ExternalCost), csvFloat(a.TotalCost()), csvFloat(a.TotalEfficiency())})
		}
	}
	w.Flush()
	return csvBody{name: "allocation.csv", data: buf.Bytes()}
}

var assetCSVHeader = []string{"windowStart", "windowEnd", "key", "type", "start", "end", "minutes",
	"provider", "account", "project", "category", "service", "cluster", "name", "providerID",
	"adjustment", "totalCost"}

// assetCSV writes one row per asset per set.
func assetCSV(sets []*cost.AssetSet, offset, limit int) csvBody {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(assetCSVHeader)
	for _, s := range sets {
		for _, k := range engine.Page(engine.SortedAssets(s), offset, limit) {
			a := s.Assets[k]
			p := a.Properties
			_ = w.Write([]string{s.Window.Start.Format(time.RFC3339), s.Window.End.Format(time.RFC3339), k, a.Type.String(),
				a.Start.UTC().Format(time.RFC3339), a.End.UTC().Format(time.RFC3339), strconv.FormatFloat(a.Minutes(), 'f', -1, 64),
				p.Provider, p.Account, p.Project, p.Category, p.Service, p.Cluster, p.Name, p.ProviderID,
				string(appendFloat(nil, a.Adjustment, assetDecimals)), string(appendFloat(nil, a.TotalCost(), assetDecimals))})
		}
	}
	w.Flush()
	return csvBody{name: "assets.csv", data: buf.Bytes()}
}
