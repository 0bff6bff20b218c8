package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fedcost/fedcost/agent/metrics"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	var none *metrics.Agent // nil records nothing and does not panic
	none.CountUpload(metrics.Uploaded, 1)
	none.SetSpool(1, 1)

	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.CountUpload(metrics.Uploaded, 2)
	m.CountUpload(metrics.Spooled, 1)
	m.CountUpload(metrics.Dropped, 0)
	m.SetSpool(3, 300)
	m.UploadSucceeded(time.Unix(1795168800, 0))
	m.ObserveBuild("allocations", "1h", time.Second)
	m.CountBuild("1h", "success")
	m.CountHeartbeat("success")
	want := `
# HELP fedcost_agent_spool_files Uploads waiting in the local spool.
# TYPE fedcost_agent_spool_files gauge
fedcost_agent_spool_files 3
# HELP fedcost_agent_uploads_total Upload attempts by outcome: uploaded, spooled, skipped_nonempty, dropped, failed.
# TYPE fedcost_agent_uploads_total counter
fedcost_agent_uploads_total{outcome="spooled"} 1
fedcost_agent_uploads_total{outcome="uploaded"} 2
# HELP fedcost_agent_last_upload_success_timestamp_seconds Unix time of the last successful upload.
# TYPE fedcost_agent_last_upload_success_timestamp_seconds gauge
fedcost_agent_last_upload_success_timestamp_seconds 1.7951688e+09
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "fedcost_agent_spool_files", "fedcost_agent_uploads_total",
		"fedcost_agent_last_upload_success_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "fedcost_agent_build_duration_seconds"); n != 1 {
		t.Errorf("%d build duration series, want 1", n)
	}
}
