package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const plain = "AKIAsuper-secret-value"

type withSecret struct {
	User string `yaml:"user" json:"user"`
	Key  Secret `yaml:"key" json:"key"`
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	s := Secret(plain)
	v := withSecret{User: "u", Key: s}
	yamlOut, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var jsonOut bytes.Buffer
	enc := json.NewEncoder(&jsonOut)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("cfg", "key", s, "cfg", v)

	outputs := map[string]string{
		"String":  s.String(),
		"%s":      fmt.Sprintf("%s", s),
		"%v":      fmt.Sprintf("%v", s),
		"%+v":     fmt.Sprintf("%+v", v),
		"%#v":     fmt.Sprintf("%#v", v),
		"%q":      fmt.Sprintf("%q", s),
		"%x":      fmt.Sprintf("%x", s),
		"%X":      fmt.Sprintf("%X", s),
		"%10.3s":  fmt.Sprintf("%10.3s", s),
		"Println": fmt.Sprintln(s, v, &v),
		"yaml":    string(yamlOut),
		"json":    jsonOut.String(),
		"slog":    logBuf.String(),
		"errorf":  fmt.Errorf("bad %v: %w", s, fmt.Errorf("x")).Error(),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(out, plain) || strings.Contains(out, fmt.Sprintf("%x", plain)) ||
				strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%X", plain))) {
				t.Fatalf("secret leaked: %q", out)
			}
			if !strings.Contains(out, "<secret>") {
				t.Fatalf("expected <secret> in %q", out)
			}
		})
	}
}

func TestSecretEmptyShowsEmpty(t *testing.T) {
	t.Parallel()
	if got := Secret("").String(); got != "" {
		t.Fatalf("empty secret printed as %q", got)
	}
	if Secret("").IsSet() || !Secret("x").IsSet() {
		t.Fatal("IsSet wrong")
	}
}

func TestSecretDecodesFromPlainString(t *testing.T) {
	t.Parallel()
	var y withSecret
	if err := yaml.Unmarshal([]byte("user: u\nkey: "+plain+"\n"), &y); err != nil {
		t.Fatal(err)
	}
	if y.Key.Value() != plain {
		t.Fatalf("yaml decode: got %q", y.Key.Value())
	}
	var j withSecret
	if err := json.Unmarshal([]byte(`{"user":"u","key":"`+plain+`"}`), &j); err != nil {
		t.Fatal(err)
	}
	if j.Key.Value() != plain {
		t.Fatalf("json decode: got %q", j.Key.Value())
	}
}
