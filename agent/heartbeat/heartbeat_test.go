package heartbeat_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/fedcost/fedcost/agent/heartbeat"
	"github.com/fedcost/fedcost/shared/etl"
	"github.com/fedcost/fedcost/shared/layout"
	"github.com/fedcost/fedcost/shared/store/memory"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestInstallIDIsGeneratedOnceAndPersisted(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "spool")
	id, err := heartbeat.InstallID(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if !uuidRe.MatchString(id) {
		t.Errorf("install id %q is not a v4 UUID", id)
	}
	again, err := heartbeat.InstallID(dir, "")
	if err != nil || again != id {
		t.Errorf("second start got %q (%v), want the persisted %q", again, err, id)
	}
	if other, _ := heartbeat.InstallID(t.TempDir(), ""); other == id {
		t.Error("two installs share an id")
	}
}

func TestInstallIDOverrideAndBadFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, override, want string
		wantErr                    bool
	}{
		{name: "override wins", file: "persisted\n", override: "from-flag", want: "from-flag"},
		{name: "bad override", override: "has spaces", wantErr: true},
		{name: "persisted id is read", file: "abc-123\n", want: "abc-123"},
		{name: "corrupt file is an error", file: "../../etc\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(dir, heartbeat.InstallIDFile), []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := heartbeat.InstallID(dir, tc.override)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestWriteHeartbeat(t *testing.T) {
	t.Parallel()
	st := memory.New("hb")
	now := time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC)
	w := &heartbeat.Writer{Store: st, Cluster: "c1", Producer: etl.Producer{Agent: "fedcost-agent", Version: "1.2.3", InstallID: "id-1", Source: "opencost"},
		StartedAt: now.Add(-time.Hour), Interval: 5 * time.Minute, Config: map[string]string{"interval": "5m0s"}, Now: func() time.Time { return now }}
	if err := w.Write(context.Background(), heartbeat.Status{SpoolFiles: 3, SpoolBytes: 300, LastUpload: now.Add(-time.Minute),
		LastBuild: map[string]time.Time{"allocations/1h": now}}); err != nil {
		t.Fatal(err)
	}
	data, _, err := st.Get(context.Background(), layout.HeartbeatKey("c1"))
	if err != nil {
		t.Fatal(err)
	}
	hb, err := etl.DecodeHeartbeat(data, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if hb.Producer.Version != "1.2.3" || !hb.Producer.BuiltAt.Equal(now) || hb.SpoolFiles != 3 || hb.SpoolBytes != 300 ||
		!hb.LastUpload.Equal(now.Add(-time.Minute)) || hb.Config["interval"] != "5m0s" || hb.IntervalSeconds != 300 ||
		!hb.LastBuild["allocations/1h"].Equal(now) {
		t.Errorf("heartbeat %+v", hb)
	}
}
