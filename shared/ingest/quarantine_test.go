package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store"
)

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// mutated re-encodes the example allocation document after f changed its JSON form.
func mutated(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	raw, err := etl.EncodeJSON(allocDoc("bad", testHour, 2, 1, "i"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	f(m)
	out, _ := json.Marshal(m)
	return gzipBytes(out)
}

func firstAlloc(m map[string]any) map[string]any {
	for _, v := range m["allocations"].(map[string]any) {
		return v.(map[string]any)
	}
	return nil
}

func TestBadUploadsAreQuarantined(t *testing.T) {
	ctx := context.Background()
	good := upload("bad", layout.Allocations, testHour).Key()
	next := upload("bad", layout.Allocations, layout.WindowFor(layout.Hourly, testHour.End)).Key()
	cases := []struct {
		name, key string
		data      []byte
		reason    string
	}{
		{"not gzip", good, []byte("hello"), "not_gzip"},
		{"truncated gzip", good, gzipBytes([]byte(`{"formatVersion":1}`))[:15], "not_gzip"},
		{"bad json", good, gzipBytes([]byte(`{"formatVersion":1,`)), "bad_json"},
		{"gzip bomb", good, gzipBytes(append([]byte(`{"formatVersion":1,"x":"`), bytes.Repeat([]byte("a"), 4<<20)...)), "compression_ratio_exceeded"},
		{"unknown version", good, mutated(t, func(m map[string]any) { m["formatVersion"] = 9 }), "unknown_format_version"},
		{"unknown field", good, mutated(t, func(m map[string]any) { m["surprise"] = 1 }), "unknown_field"},
		{"cluster mismatch", good, mutated(t, func(m map[string]any) { m["cluster"] = "other" }), "cluster_mismatch"},
		{"window of another hour", next, mutated(t, func(m map[string]any) {}), "window_mismatch"},
		{"kind mismatch", good, mutated(t, func(m map[string]any) { m["kind"] = "assets" }), "kind_mismatch"},
		{"negative cost", good, mutated(t, func(m map[string]any) { firstAlloc(m)["cpuCost"] = -3 }), "negative_value"},
		{"record outside window", good, mutated(t, func(m map[string]any) {
			firstAlloc(m)["end"] = testHour.End.Add(time.Hour).Format(time.RFC3339)
		}), "record_outside_window"},
		{"record of another cluster", good, mutated(t, func(m map[string]any) {
			firstAlloc(m)["properties"].(map[string]any)["cluster"] = "intruder"
		}), "cluster_mismatch"},
		{"name mismatch", good, mutated(t, func(m map[string]any) { firstAlloc(m)["name"] = "zzz" }), "name_mismatch"},
		{"number overflow", good, nil, ""}, // data set below
		{"misaligned window key", "federated/bad/etl/allocations/1h/1795132801-1795136401.json.gz", []byte("x"), "bad_key"},
		{"unknown kind key", "federated/bad/etl/cloudcosts/1h/1795132800-1795136400.json.gz", []byte("x"), "bad_key"},
		{"unknown extension key", "federated/bad/etl/allocations/1h/1795132800-1795136400.json", []byte("x"), "bad_key"},
		{"hostile cluster key", "federated/Bad..Id/etl/allocations/1h/1795132800-1795136400.json.gz", []byte("x"), "bad_key"},
		{"bad heartbeat", layout.HeartbeatKey("bad"), []byte(`{"formatVersion":1,"cluster":"bad","extra":1}`), "unknown_field"},
	}
	// number overflow: a float that does not fit float64
	raw, _ := etl.EncodeJSON(allocDoc("bad", testHour, 2, 1, "i"))
	var m map[string]any
	json.Unmarshal(raw, &m)
	for k, v := range m["allocations"].(map[string]any) {
		v.(map[string]any)["cpuCost"] = 12345.5
		m["allocations"].(map[string]any)[k] = v
		break
	}
	b, _ := json.Marshal(m)
	cases[13].data = gzipBytes(bytes.Replace(b, []byte("12345.5"), []byte("1e999"), 1))
	cases[13].reason = "not_finite"
	if len(cases) < 15 {
		t.Fatal("want at least 15 kinds of bad uploads")
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newMemory()
			reg := prometheus.NewRegistry()
			core, _ := New(Config{Store: st, Metrics: NewMetrics(reg)})
			// A good upload of another cluster, ingested in the same run.
			other := allocDoc("good", testHour, 3, 1, "i")
			put(t, st, other.Upload().Key(), encode(t, other))
			put(t, st, c.key, c.data)
			res, err := core.Ingest(ctx, c.key)
			if err != nil || res.Outcome != Refused || res.Reason != c.reason {
				t.Fatalf("ingest = %+v, %v; want refused %s", res, err, c.reason)
			}
			if res2, err := core.Ingest(ctx, other.Upload().Key()); err != nil || res2.Outcome != Derived {
				t.Fatalf("other cluster: %+v %v", res2, err)
			}
			// The upload is untouched.
			got, _, err := st.Get(ctx, c.key)
			if err != nil || !bytes.Equal(got, c.data) {
				t.Fatal("the refused upload was modified or deleted")
			}
			// A quarantine record names the key and the reason.
			var recs []combined.QuarantineRecord
			st.List(ctx, layout.QuarantinePrefix(""), "", func(oi store.ObjectInfo) error {
				b, _, _ := st.Get(ctx, oi.Key)
				var r combined.QuarantineRecord
				json.Unmarshal(b, &r)
				recs = append(recs, r)
				return nil
			})
			if len(recs) != 1 || recs[0].Key != c.key || recs[0].Reason != c.reason || recs[0].Version == "" {
				t.Fatalf("quarantine records = %+v", recs)
			}
			// Metrics count the refusal by reason.
			if n := testutil.ToFloat64(core.m.refusals.WithLabelValues(c.reason)); n != 1 {
				t.Fatalf("refusal metric = %v", n)
			}
			// Status of the cluster counts it (hostile keys have no valid cluster id).
			if p, _ := layout.Parse(c.key); p.Cluster == "bad" {
				b, _, err := st.Get(ctx, layout.StatusKey("bad"))
				if err != nil {
					t.Fatal(err)
				}
				s, _ := combined.DecodeStatus(b)
				if s.Quarantined != 1 || !strings.Contains(s.LastError, c.key) {
					t.Fatalf("status = %+v", s)
				}
			}
			// A duplicate event changes nothing and is still "done".
			if res, err := core.Ingest(ctx, c.key); err != nil || res.Outcome != Refused {
				t.Fatalf("second ingest: %+v %v", res, err)
			}
			if n := testutil.ToFloat64(core.m.derivations.WithLabelValues("refused")); n != 2 {
				t.Fatalf("derivations{refused} = %v", n)
			}
		})
	}
}

func TestTransientErrorsAreReturned(t *testing.T) {
	core := newCore(t, failing{newMemory()})
	_, err := core.Ingest(context.Background(), upload("c1", layout.Allocations, testHour).Key())
	if err == nil {
		t.Fatal("a store outage must be returned for the platform to retry")
	}
}

type failing struct{ store.Store }

func (failing) Get(context.Context, string) ([]byte, store.ObjectInfo, error) {
	return nil, store.ObjectInfo{}, errInjected
}
