package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

// startLocal runs `fedcost local` in-process on a free port and returns its base URL and a
// function that stops it and returns its exit code and output.
func startLocal(t testing.TB, data string, extra ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	args := append([]string{"local", "--data", data, "--listen", "127.0.0.1:0", "--poll", "200ms", "--refresh", "500ms", "--log-level", localLogLevel()}, extra...)
	go func() { done <- run(ctx, args, out, out) }()
	re := regexp.MustCompile(`UI and API on (http://127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			stop := func() (int, string) {
				cancel()
				select {
				case code := <-done:
					return code, out.String()
				case <-time.After(30 * time.Second):
					t.Fatal("fedcost local did not stop within 30s of Ctrl-C")
					return -1, ""
				}
			}
			t.Cleanup(func() { cancel() })
			return m[1], stop
		}
		select {
		case code := <-done:
			t.Fatalf("fedcost local exited %d: %s", code, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("fedcost local did not start: %s", out.String())
	return "", nil
}

func getJSON(t testing.TB, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

type allocResponse struct {
	Code int                                      `json:"code"`
	Data []map[string]struct{ TotalCost float64 } `json:"data"`
}

// clusterTotals polls the 7-day cluster aggregation until want clusters have costs.
func clusterTotals(t testing.TB, base string, want int, timeout time.Duration) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last map[string]float64
	for time.Now().Before(deadline) {
		var r allocResponse
		if getJSON(t, base+"/model/allocation?window=7d&aggregate=cluster&accumulate=true&idle=false", &r) == 200 && len(r.Data) == 1 {
			last = map[string]float64{}
			for k, v := range r.Data[0] {
				if v.TotalCost > 0 {
					last[k] = v.TotalCost
				}
			}
			if len(last) >= want {
				return last
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("after %s the API shows %v, want %d clusters with costs", timeout, last, want)
	return nil
}

// buildAgent compiles fedcost-agent (the simulator) from this module.
func buildAgent(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fedcost-agent")
	cmd := exec.Command("go", "build", "-o", bin, "../../../agent/cmd/fedcost-agent")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build fedcost-agent: %v\n%s", err, out)
	}
	return bin
}

// TestLocalDemoPath is `make demo` without a terminal: fedcost local, 4 simulated clusters
// with history, the API answering, a live upload reaching the API, a clean stop.
func TestLocalDemoPath(t *testing.T) {
	agent := buildAgent(t)
	data := t.TempDir()
	base, stop := startLocal(t, data)
	storeYAML := filepath.Join(data, "federated-store.yaml")
	end := time.Now().UTC()
	sim := exec.Command(agent, "simulate", "--store", storeYAML, "--clusters", "4", "--days", "7", "--hourly-hours", "2",
		"--containers-per-day", "20", "--end", end.Format(time.RFC3339))
	if out, err := sim.CombinedOutput(); err != nil {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	deadline := time.Now().Add(60 * time.Second)
	for getJSON(t, base+"/readyz", nil) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("/readyz never became ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
	totals := clusterTotals(t, base, 4, 3*time.Minute)
	var ids []string
	for k := range totals {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	if strings.Join(ids, ",") != "sim-0001,sim-0002,sim-0003,sim-0004" {
		t.Fatalf("clusters = %v", ids)
	}

	// A live upload from a new cluster reaches the API.
	written := time.Now()
	live := exec.Command(agent, "simulate", "--store", storeYAML, "--clusters", "1", "--cluster-prefix", "live", "--days", "2",
		"--hourly-hours", "0", "--containers-per-day", "10", "--end", end.Format(time.RFC3339))
	if out, err := live.CombinedOutput(); err != nil {
		t.Fatalf("live upload: %v\n%s", err, out)
	}
	got := clusterTotals(t, base, 5, 3*time.Minute)
	if got["live-0001"] <= 0 {
		t.Fatalf("live cluster not in %v", got)
	}
	t.Logf("freshness: upload written → visible in the API in %s (poll 200ms, refresh 500ms)", time.Since(written).Round(time.Millisecond))

	var status struct {
		Data struct {
			Clusters []struct{ ClusterID string } `json:"clusters"`
		} `json:"data"`
	}
	getJSON(t, base+"/model/federation/status", &status)
	if len(status.Data.Clusters) != 5 {
		t.Fatalf("status lists %d clusters", len(status.Data.Clusters))
	}
	code, out := stop()
	if code != 0 || !strings.Contains(out, "fedcost local: stopped") {
		t.Fatalf("stop: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(data, "bucket", layout.CombinedPrefix)); err != nil {
		t.Fatalf("no derived data left for the next run: %v", err)
	}
	// A second run resumes with the data it left.
	base2, stop2 := startLocal(t, data)
	if got := clusterTotals(t, base2, 5, 3*time.Minute); len(got) != 5 {
		t.Fatalf("second run: %v", got)
	}
	if code, out := stop2(); code != 0 {
		t.Fatalf("second stop: %d %s", code, out)
	}
}

func localLogLevel() string {
	if l := os.Getenv("FEDCOST_TEST_LOG_LEVEL"); l != "" {
		return l
	}
	return "error"
}
