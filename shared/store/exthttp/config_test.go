package exthttp

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestTransportAppliesConfig(t *testing.T) {
	c := Default()
	dec := yaml.NewDecoder(strings.NewReader(`
idle_conn_timeout: 45s
response_header_timeout: 3m
tls_handshake_timeout: 7s
expect_continue_timeout: 2s
max_idle_conns: 11
max_idle_conns_per_host: 12
max_conns_per_host: 13
disable_compression: true
insecure_skip_verify: true
tls_config: {server_name: s3.internal.test}
`))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	tr, err := c.Transport("config.http_config")
	if err != nil {
		t.Fatal(err)
	}
	var copied http.Transport
	CopyTo(&copied, tr)
	for name, got := range map[string]*http.Transport{"Transport": tr, "CopyTo": &copied} {
		if got.IdleConnTimeout != 45*time.Second || got.ResponseHeaderTimeout != 3*time.Minute ||
			got.TLSHandshakeTimeout != 7*time.Second || got.ExpectContinueTimeout != 2*time.Second ||
			got.MaxIdleConns != 11 || got.MaxIdleConnsPerHost != 12 || got.MaxConnsPerHost != 13 ||
			!got.DisableCompression || !got.TLSClientConfig.InsecureSkipVerify ||
			got.TLSClientConfig.ServerName != "s3.internal.test" || got.Proxy == nil {
			t.Errorf("%s: transport does not carry the config: %+v", name, got)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"defaults", func(*Config) {}, ""},
		{"negative duration", func(c *Config) { c.ResponseHeaderTimeout = -time.Second }, "x.response_header_timeout: must not be negative"},
		{"negative size", func(c *Config) { c.MaxIdleConns = -1 }, "x.max_idle_conns: must not be negative"},
		{"key without cert", func(c *Config) { c.TLSConfig.KeyFile = "k.pem" }, "x.tls_config.cert_file and key_file: set both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate("x")
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Validate = %v; want %q", err, tc.want)
			}
		})
	}
}
