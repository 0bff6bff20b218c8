package etl

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func gz(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	return b.Bytes()
}

func TestGoldenAndRoundTrip(t *testing.T) {
	for name, doc := range map[string]*Document{"example-allocations": exampleAllocations(), "example-assets": exampleAssets()} {
		t.Run(name, func(t *testing.T) {
			raw, err := EncodeJSON(doc)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			json.Indent(&pretty, raw, "", "  ")
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", name+".json")
			if *update {
				os.WriteFile(golden, pretty.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Fatalf("encoding differs from %s (go test -update if intended):\n%s", golden, pretty.String())
			}
			// The golden file itself (indented, uncompressed) decodes to the same document.
			back, err := DecodeJSON(want, doc.Upload(), Limits{})
			if err != nil {
				t.Fatalf("golden does not decode: %v", err)
			}
			if !reflect.DeepEqual(back, doc) {
				t.Fatalf("golden decodes to a different document")
			}
			// Encode → Decode is the identity, and Encode is deterministic.
			z1, err := Encode(doc)
			if err != nil {
				t.Fatal(err)
			}
			z2, _ := Encode(doc)
			if !bytes.Equal(z1, z2) {
				t.Fatal("Encode is not deterministic")
			}
			back, err = Decode(z1, doc.Upload(), Limits{})
			if err != nil {
				t.Fatalf("Decode(Encode(doc)): %v", err)
			}
			if !reflect.DeepEqual(back, doc) {
				t.Fatal("round trip changed the document")
			}
		})
	}
}

// mutate returns the example allocations document as JSON after f changed its generic form.
func mutate(t *testing.T, doc *Document, f func(m map[string]any)) []byte {
	t.Helper()
	raw, err := EncodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func firstRecord(m map[string]any, section string) map[string]any {
	recs := m[section].(map[string]any)
	return recs[sortedKeys(recs)[0]].(map[string]any)
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func TestDecodeRefusesBadInput(t *testing.T) {
	alloc := exampleAllocations()
	want := alloc.Upload()
	good := func() []byte { b, _ := EncodeJSON(exampleAllocations()); return b }
	otherHour := want
	otherHour.Window = layout.WindowFor(layout.Hourly, want.Window.End)
	bomb := gz(t, append([]byte(`{"formatVersion":1,"x":"`), bytes.Repeat([]byte("0"), 8<<20)...))

	cases := []struct {
		name   string
		data   []byte // compressed input
		want   layout.Upload
		lim    Limits
		reason Reason
		field  string
	}{
		{"not gzip", []byte("plain text"), want, Limits{}, ReasonNotGzip, ""},
		{"truncated gzip", gz(t, good())[:40], want, Limits{}, ReasonNotGzip, ""},
		{"compressed too large", gz(t, good()), want, Limits{MaxCompressed: 100}, ReasonCompressedTooLarge, ""},
		{"decompressed too large", gz(t, good()), want, Limits{MaxDecompressed: 200}, ReasonDecompressedTooLarge, ""},
		{"gzip bomb", bomb, want, Limits{}, ReasonRatioExceeded, ""},
		{"bad json", gz(t, []byte(`{"formatVersion":1,`)), want, Limits{}, ReasonBadJSON, ""},
		{"trailing data", gz(t, append(good(), []byte(` {"x":1}`)...)), want, Limits{}, ReasonBadJSON, ""},
		{"missing version", gz(t, mutate(t, alloc, func(m map[string]any) { delete(m, "formatVersion") })), want, Limits{}, ReasonMissingField, "formatVersion"},
		{"unknown version", gz(t, mutate(t, alloc, func(m map[string]any) { m["formatVersion"] = 7 })), want, Limits{}, ReasonUnknownVersion, "formatVersion"},
		{"unknown top-level field", gz(t, mutate(t, alloc, func(m map[string]any) { m["extra"] = true })), want, Limits{}, ReasonUnknownField, "extra"},
		{"unknown record field", gz(t, mutate(t, alloc, func(m map[string]any) { firstRecord(m, "allocations")["cpuCostt"] = 1 })), want, Limits{}, ReasonUnknownField, "cpuCostt"},
		{"string for number", gz(t, mutate(t, alloc, func(m map[string]any) { firstRecord(m, "allocations")["cpuCost"] = "1" })), want, Limits{}, ReasonBadJSON, "cpuCost"},
		{"number not finite", gz(t, bytes.Replace(good(), []byte(`"cpuCost":0.0158`), []byte(`"cpuCost":1e999`), 1)), want, Limits{}, ReasonNotFinite, "cpuCost"},
		{"negative cost", gz(t, mutate(t, alloc, func(m map[string]any) { firstRecord(m, "allocations")["ramCost"] = -1 })), want, Limits{}, ReasonNegative, "ramCost"},
		{"negative hours", gz(t, mutate(t, alloc, func(m map[string]any) { firstRecord(m, "allocations")["cpuCoreHours"] = -0.5 })), want, Limits{}, ReasonNegative, "cpuCoreHours"},
		{"kind mismatch", gz(t, mutate(t, alloc, func(m map[string]any) { m["kind"] = "assets" })), want, Limits{}, ReasonKindMismatch, "kind"},
		{"resolution mismatch", gz(t, good()), layout.Upload{Cluster: want.Cluster, Kind: want.Kind, Resolution: layout.Daily, Window: layout.WindowFor(layout.Daily, want.Window.Start)}, Limits{}, ReasonResolutionMismatch, "resolution"},
		{"cluster mismatch with key", gz(t, good()), layout.Upload{Cluster: "other", Kind: want.Kind, Resolution: want.Resolution, Window: want.Window}, Limits{}, ReasonClusterMismatch, "cluster"},
		{"window mismatch with key", gz(t, good()), otherHour, Limits{}, ReasonWindowMismatch, "window"},
		{"window not one hour", gz(t, mutate(t, alloc, func(m map[string]any) {
			m["window"].(map[string]any)["end"] = want.Window.Start.Add(2 * time.Hour).Format(time.RFC3339)
		})), want, Limits{}, ReasonBadWindow, "window"},
		{"record starts before window", gz(t, mutate(t, alloc, func(m map[string]any) {
			firstRecord(m, "allocations")["start"] = want.Window.Start.Add(-time.Minute).Format(time.RFC3339)
		})), want, Limits{}, ReasonRecordOutsideWindow, "start"},
		{"record ends before it starts", gz(t, mutate(t, alloc, func(m map[string]any) {
			firstRecord(m, "allocations")["end"] = want.Window.Start.Format(time.RFC3339)
			firstRecord(m, "allocations")["start"] = want.Window.Start.Add(time.Minute).Format(time.RFC3339)
		})), want, Limits{}, ReasonRecordOutsideWindow, "end"},
		{"record window differs", gz(t, mutate(t, alloc, func(m map[string]any) {
			firstRecord(m, "allocations")["window"] = map[string]any{"start": otherHour.Window.Start, "end": otherHour.Window.End}
		})), want, Limits{}, ReasonRecordOutsideWindow, "window"},
		{"record of another cluster", gz(t, mutate(t, alloc, func(m map[string]any) {
			firstRecord(m, "allocations")["properties"].(map[string]any)["cluster"] = "intruder"
		})), want, Limits{}, ReasonClusterMismatch, "properties.cluster"},
		{"name differs from key", gz(t, mutate(t, alloc, func(m map[string]any) { firstRecord(m, "allocations")["name"] = "x" })), want, Limits{}, ReasonNameMismatch, "name"},
		{"empty record key", gz(t, mutate(t, alloc, func(m map[string]any) {
			recs := m["allocations"].(map[string]any)
			r := firstRecord(m, "allocations")
			delete(r, "name")
			recs[""] = r
		})), want, Limits{}, ReasonBadName, "name"},
		{"assets in allocations document", gz(t, mutate(t, alloc, func(m map[string]any) {
			var a map[string]any
			raw, _ := EncodeJSON(exampleAssets())
			json.Unmarshal(raw, &a)
			m["assets"] = a["assets"]
		})), want, Limits{}, ReasonWrongSection, "assets"},
		{"too many records", gz(t, good()), want, Limits{MaxRecords: 1}, ReasonTooManyRecords, ""},
		{"missing start and end", gz(t, mutate(t, alloc, func(m map[string]any) {
			delete(firstRecord(m, "allocations"), "start")
			delete(firstRecord(m, "allocations"), "end")
		})), want, Limits{}, ReasonMissingField, "start"},
	}
	assets := exampleAssets()
	aw := assets.Upload()
	cases = append(cases,
		struct {
			name   string
			data   []byte
			want   layout.Upload
			lim    Limits
			reason Reason
			field  string
		}{"discount above one", gz(t, mutate(t, assets, func(m map[string]any) {
			for _, k := range sortedKeys(m["assets"].(map[string]any)) {
				r := m["assets"].(map[string]any)[k].(map[string]any)
				if r["type"] == "Node" {
					r["discount"] = 1.5
				}
			}
		})), aw, Limits{}, ReasonOutOfRange, "discount"},
		struct {
			name   string
			data   []byte
			want   layout.Upload
			lim    Limits
			reason Reason
			field  string
		}{"unknown asset type", gz(t, mutate(t, assets, func(m map[string]any) { firstRecord(m, "assets")["type"] = "Rocket" })), aw, Limits{}, ReasonBadJSON, ""},
	)
	if len(cases) < 20 {
		t.Fatal("the table must hold at least 20 bad inputs")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Decode(c.data, c.want, c.lim)
			if err == nil {
				t.Fatalf("accepted: %+v", doc.Upload())
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *etl.Error", err)
			}
			if e.Reason != c.reason {
				t.Fatalf("reason = %s (%v), want %s", e.Reason, err, c.reason)
			}
			if c.field != "" && !strings.Contains(e.Field, c.field) {
				t.Fatalf("field = %q (%v), want %q", e.Field, err, c.field)
			}
		})
	}
}

func TestEmptyDocumentIsValid(t *testing.T) {
	d := NewDocument(exampleAllocations().Upload(), exampleProducer())
	z, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(z, d.Upload(), Limits{})
	if err != nil || !back.Empty() {
		t.Fatalf("empty document: %v %v", back, err)
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	d := exampleAllocations()
	d.Cluster = "Bad Cluster"
	if _, err := Encode(d); err == nil {
		t.Fatal("encoded a document with an invalid cluster id")
	}
	d = exampleAllocations()
	for _, a := range d.Allocations {
		a.CPUCost = -1
		break
	}
	if _, err := Encode(d); err == nil {
		t.Fatal("encoded a negative cost")
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(exampleAllocations())
	goodAssets, _ := Encode(exampleAssets())
	raw, _ := EncodeJSON(exampleAllocations())
	f.Add(good, false)
	f.Add(goodAssets, false)
	f.Add(raw, true)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, false)
	want := exampleAllocations().Upload()
	f.Fuzz(func(t *testing.T, data []byte, plain bool) {
		var doc *Document
		var err error
		lim := Limits{MaxDecompressed: 8 << 20}
		if plain {
			doc, err = DecodeJSON(data, want, lim)
		} else {
			doc, err = Decode(data, want, lim)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		// Whatever Decode accepts, Encode reproduces and Decode accepts again.
		z, err := Encode(doc)
		if err != nil {
			t.Fatalf("accepted document does not encode: %v", err)
		}
		if _, err := Decode(z, want, lim); err != nil {
			t.Fatalf("re-encoded document refused: %v", err)
		}
	})
}

func TestHeartbeatRoundTrip(t *testing.T) {
	h := &Heartbeat{Cluster: "c1", Producer: exampleProducer(), Time: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC),
		IntervalSeconds: 300, LastBuild: map[string]time.Time{"allocations/1h": time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)},
		Config: map[string]string{"source": "prometheus"}}
	b, err := EncodeHeartbeat(h)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeHeartbeat(b, "c1")
	if err != nil || !reflect.DeepEqual(back, h) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := DecodeHeartbeat(b, "c2"); err == nil {
		t.Fatal("heartbeat of another cluster accepted")
	}
	if _, err := DecodeHeartbeat([]byte(`{"formatVersion":1,"cluster":"c1","bogus":1}`), "c1"); err == nil {
		t.Fatal("unknown heartbeat field accepted")
	}
	if _, err := EncodeHeartbeat(&Heartbeat{Cluster: "../x"}); err == nil {
		t.Fatal("bad cluster id encoded")
	}
}
