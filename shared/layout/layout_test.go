package layout

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestUploadKeyRoundTrip(t *testing.T) {
	for _, r := range Resolutions {
		for _, k := range Kinds {
			u := Upload{Cluster: "prod-eu.1", Kind: k, Resolution: r, Window: WindowFor(r, day.Add(5*time.Hour+3*time.Minute))}
			key := u.Key()
			p, err := Parse(key)
			if err != nil {
				t.Fatalf("Parse(%q): %v", key, err)
			}
			if p.Class != UploadClass || p.Upload != u || p.Cluster != u.Cluster {
				t.Fatalf("Parse(%q) = %+v, want %+v", key, p, u)
			}
			if err := u.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		}
	}
	if got := (Upload{Cluster: "c1", Kind: Allocations, Resolution: Daily, Window: WindowFor(Daily, day)}).Key(); got != "federated/c1/etl/allocations/1d/1795132800-1795219200.json.gz" {
		t.Fatalf("key = %q", got)
	}
}

func TestParseClasses(t *testing.T) {
	cases := map[string]Class{
		"federated/c1/heartbeat.json":                              HeartbeatClass,
		"federated/combined/allocations/x.parquet":                 CombinedClass,
		"federated/quarantine/c1/abc.json":                         QuarantineClass,
		"other/thing":                                              Other,
		"federated/c1/etl/bingen/allocations/1d/1-2":               Other, // Kubecost's own files: not ours
		"federated/c1/notes.txt":                                   Other,
		"thanos/01HXYZ/meta.json":                                  Other,
		"federated/c1/etl/assets/1h/1795132800-1795136400.json.gz": UploadClass,
	}
	for key, want := range cases {
		p, err := Parse(key)
		if err != nil {
			t.Errorf("Parse(%q): unexpected error %v", key, err)
		}
		if p.Class != want {
			t.Errorf("Parse(%q).Class = %v, want %v", key, p.Class, want)
		}
	}
}

func TestParseRefusesBadKeys(t *testing.T) {
	h := "1795132800-1795136400"
	d := "1795132800-1795219200"
	cases := []struct {
		name, key, want string
		class           Class
	}{
		{"traversal segment", "federated/../etc/passwd", `".." path segment`, UploadClass},
		{"traversal inside cluster", "federated/c1/etl/allocations/1h/../../x.json.gz", `".." path segment`, UploadClass},
		{"dot dot in name", "federated/a..b/etl/allocations/1h/" + h + ".json.gz", `".."`, UploadClass},
		{"double slash", "federated//etl/allocations/1h/" + h + ".json.gz", "empty path segment", UploadClass},
		{"backslash", "federated/c1\\x/etl/allocations/1h/" + h + ".json.gz", "backslash", UploadClass},
		{"leading slash", "/federated/c1/etl/allocations/1h/" + h + ".json.gz", "starts with '/'", Other},
		{"non utf8", "federated/c\xff1/etl/allocations/1h/" + h + ".json.gz", "UTF-8", UploadClass},
		{"control char", "federated/c1/etl/allocations/1h/" + h + "\n.json.gz", "control character", UploadClass},
		{"upper case cluster", "federated/Prod/etl/allocations/1h/" + h + ".json.gz", "invalid", UploadClass},
		{"cluster starts with dash", "federated/-c/etl/allocations/1h/" + h + ".json.gz", "invalid", UploadClass},
		{"cluster too long", "federated/" + strings.Repeat("a", 64) + "/etl/allocations/1h/" + h + ".json.gz", "invalid", UploadClass},
		{"reserved combined heartbeat", "federated/combined/heartbeat.json", "", CombinedClass},
		{"unknown kind", "federated/c1/etl/cloudcosts/1h/" + h + ".json.gz", "unknown kind", UploadClass},
		{"unknown resolution", "federated/c1/etl/allocations/10m/" + h + ".json.gz", "unknown resolution", UploadClass},
		{"unknown extension", "federated/c1/etl/allocations/1h/" + h + ".json", "unknown extension", UploadClass},
		{"no extension", "federated/c1/etl/allocations/1h/" + h, "unknown extension", UploadClass},
		{"hour window under 1d", "federated/c1/etl/allocations/1d/" + h + ".json.gz", "want exactly 1d", UploadClass},
		{"day window under 1h", "federated/c1/etl/allocations/1h/" + d + ".json.gz", "want exactly 1h", UploadClass},
		{"misaligned hour", "federated/c1/etl/allocations/1h/1795132801-1795136401.json.gz", "not aligned", UploadClass},
		{"misaligned day", "federated/c1/etl/assets/1d/1795136400-1795222800.json.gz", "not aligned", UploadClass},
		{"not a number", "federated/c1/etl/allocations/1h/abc-def.json.gz", "not a unix timestamp", UploadClass},
		{"negative", "federated/c1/etl/allocations/1h/-3600-0.json.gz", "not a unix timestamp", UploadClass},
		{"leading zero", "federated/c1/etl/allocations/1h/01795132800-1795136400.json.gz", "not a unix timestamp", UploadClass},
		{"too deep", "federated/c1/etl/allocations/1h/x/" + h + ".json.gz", "want federated/<cluster>/etl", UploadClass},
		{"bad heartbeat cluster", "federated/C1/heartbeat.json", "invalid", HeartbeatClass},
		{"empty", "", "empty key", Other},
	}
	if len(cases) < 20 {
		t.Fatal("the table must hold at least 20 bad keys")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.key)
			if c.want == "" {
				if err != nil || p.Class != c.class {
					t.Fatalf("Parse(%q) = %+v, %v; want class %v and no error", c.key, p, err, c.class)
				}
				return
			}
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("Parse(%q) error = %v, want a *KeyError", c.key, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) error = %q, want it to mention %q", c.key, err, c.want)
			}
			if p.Class != c.class || ke.Class != c.class {
				t.Fatalf("Parse(%q) class = %v/%v, want %v", c.key, p.Class, ke.Class, c.class)
			}
		})
	}
}

func TestValidateClusterID(t *testing.T) {
	for _, ok := range []string{"a", "c1", "prod-eu-west-1", "a.b_c-d", strings.Repeat("x", 63)} {
		if err := ValidateClusterID(ok); err != nil {
			t.Errorf("ValidateClusterID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "combined", "quarantine", "A", "a-", ".a", "a b", "a/b", "a..b", strings.Repeat("x", 64), "ü"} {
		if err := ValidateClusterID(bad); err == nil {
			t.Errorf("ValidateClusterID(%q) accepted", bad)
		}
	}
}

func TestDerivedKeyRoundTrip(t *testing.T) {
	for _, k := range DerivedKinds {
		for _, r := range Resolutions {
			d := Derived{Kind: k, Cluster: "c-1", Resolution: r, Window: WindowFor(r, day.Add(13*time.Hour))}
			key := d.Key()
			if !strings.HasPrefix(key, DerivedPrefix(k, r)) {
				t.Fatalf("%q not under %q", key, DerivedPrefix(k, r))
			}
			back, err := ParseDerived(key)
			if err != nil || back != d {
				t.Fatalf("ParseDerived(%q) = %+v, %v", key, back, err)
			}
			if p, _ := Parse(key); p.Class != CombinedClass {
				t.Fatalf("derived key %q classified %v", key, p.Class)
			}
		}
	}
	want := "federated/combined/allocations/resolution=1d/date=2026-11-20/cluster=c1/1795132800-1795219200.parquet"
	if got := (Derived{DerivedAllocations, "c1", Daily, WindowFor(Daily, day)}).Key(); got != want {
		t.Fatalf("key = %q, want %q", got, want)
	}
	for _, bad := range []string{
		"federated/combined/allocations/resolution=1d/date=2026-11-21/cluster=c1/1795132800-1795219200.parquet",
		"federated/combined/other/resolution=1d/date=2026-11-20/cluster=c1/1795132800-1795219200.parquet",
		"federated/combined/allocations/resolution=1d/date=2026-11-20/cluster=C1/1795132800-1795219200.parquet",
		"federated/combined/allocations/resolution=1d/date=2026-11-20/cluster=c1/1795132800-1795219200.json",
	} {
		if _, err := ParseDerived(bad); err == nil {
			t.Errorf("ParseDerived(%q) accepted", bad)
		}
	}
}

func TestQuarantineKeyIsSafe(t *testing.T) {
	k := QuarantineKey("", "federated/../../evil")
	if !strings.HasPrefix(k, "federated/quarantine/_unknown/") || strings.Contains(k, "..") {
		t.Fatalf("quarantine key %q", k)
	}
	if QuarantineKey("c1", "a") == QuarantineKey("c1", "b") {
		t.Fatal("different uploads share a quarantine key")
	}
	if p, _ := Parse(k); p.Class != QuarantineClass {
		t.Fatalf("quarantine key classified %v", p.Class)
	}
}

func TestPrefix(t *testing.T) {
	if got := JoinPrefix("/team/x/", "federated/c1/heartbeat.json"); got != "team/x/federated/c1/heartbeat.json" {
		t.Fatal(got)
	}
	if rel, ok := StripPrefix("team/x", "team/x/federated/a"); !ok || rel != "federated/a" {
		t.Fatal(rel, ok)
	}
	if _, ok := StripPrefix("team/x", "team/xy/federated/a"); ok {
		t.Fatal("prefix matched a longer folder name")
	}
	if rel, ok := StripPrefix("", "federated/a"); !ok || rel != "federated/a" {
		t.Fatal(rel, ok)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("federated/c1/etl/allocations/1h/1795132800-1795136400.json.gz")
	f.Add("federated/c1/heartbeat.json")
	f.Add("federated/../x")
	f.Add("federated/combined/allocations/resolution=1d/date=2026-11-20/cluster=c1/1795132800-1795219200.parquet")
	f.Fuzz(func(t *testing.T, key string) {
		p, err := Parse(key)
		if err == nil && p.Class == UploadClass {
			if p.Upload.Key() != key {
				t.Fatalf("accepted upload %q does not round-trip (%q)", key, p.Upload.Key())
			}
			if strings.Contains(key, "..") || strings.Contains(key, "//") {
				t.Fatalf("accepted hostile key %q", key)
			}
		}
		if d, err := ParseDerived(key); err == nil && d.Key() != key {
			t.Fatalf("accepted derived %q does not round-trip (%q)", key, d.Key())
		}
	})
}

func TestFleetKeyRoundTrip(t *testing.T) {
	for _, r := range Resolutions {
		w := WindowFor(r, day.Add(13*time.Hour))
		key := FleetKey(r, w)
		if !strings.HasPrefix(key, FleetPrefix(r)) {
			t.Fatalf("%q not under %q", key, FleetPrefix(r))
		}
		gr, gw, err := ParseFleet(key)
		if err != nil || gr != r || gw != w {
			t.Fatalf("ParseFleet(%q) = %v %v %v", key, gr, gw, err)
		}
		if p, _ := Parse(key); p.Class != CombinedClass {
			t.Fatalf("fleet key %q classified %v", key, p.Class)
		}
		if _, err := ParseDerived(key); err == nil {
			t.Fatalf("fleet key %q parsed as a per-cluster derived object", key)
		}
	}
	if got, want := FleetKey(Daily, WindowFor(Daily, day)), "federated/combined/fleet/v2/resolution=1d/date=2026-11-20/1795132800-1795219200.parquet"; got != want {
		t.Fatalf("key = %q, want %q", got, want)
	}
	for _, bad := range []string{
		"federated/combined/fleet/resolution=1d/date=2026-11-20/1795132800-1795219200.parquet",
		"federated/combined/fleet/v1/resolution=1d/date=2026-11-20/1795132800-1795219200.parquet",
		"federated/combined/fleet/v2/resolution=1d/date=2026-11-21/1795132800-1795219200.parquet",
		"federated/combined/fleet/v2/resolution=1d/date=2026-11-20/1795132800-1795136400.parquet",
		"federated/combined/fleet/v2/resolution=2d/date=2026-11-20/1795132800-1795219200.parquet",
		"federated/combined/fleet/v2/resolution=1d/date=2026-11-20/x/1795132800-1795219200.parquet",
		"federated/combined/fleet/v2/resolution=1d/date=2026-11-20/1795132800-1795219200.json",
		"federated/combined/rollups/resolution=1d/date=2026-11-20/1795132800-1795219200.parquet",
	} {
		if _, _, err := ParseFleet(bad); err == nil {
			t.Errorf("ParseFleet(%q) accepted", bad)
		}
	}
}
