// Package exthttp is the http_config block of federated-store.yaml (Thanos objstore format),
// shared by the S3 and Azure backends: connection-pool sizes, timeouts and TLS (an internal CA,
// a client certificate, a server name). It turns that block into the *http.Client a cloud SDK
// is given, and checks it with messages that name the YAML key.
package exthttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// Config is http_config. Zero durations and sizes mean "no limit" as in net/http, except where
// Default sets the documented Thanos/Kubecost values.
type Config struct {
	IdleConnTimeout       time.Duration `yaml:"idle_conn_timeout"`
	ResponseHeaderTimeout time.Duration `yaml:"response_header_timeout"`
	// InsecureSkipVerify disables server certificate checks (same as tls_config.insecure_skip_verify).
	InsecureSkipVerify    bool          `yaml:"insecure_skip_verify"`
	TLSHandshakeTimeout   time.Duration `yaml:"tls_handshake_timeout"`
	ExpectContinueTimeout time.Duration `yaml:"expect_continue_timeout"`
	MaxIdleConns          int           `yaml:"max_idle_conns"`
	MaxIdleConnsPerHost   int           `yaml:"max_idle_conns_per_host"`
	MaxConnsPerHost       int           `yaml:"max_conns_per_host"`
	DisableCompression    bool          `yaml:"disable_compression"`
	TLSConfig             TLSConfig     `yaml:"tls_config"`
}

// TLSConfig is http_config.tls_config. Files are PEM; ca_file may hold several certificates
// (an intermediate and its root), which are trusted in addition to nothing else: when ca_file is
// set, the system roots are not used, exactly as Prometheus' tls_config does.
type TLSConfig struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Default returns the documented defaults (Thanos objstore DefaultHTTPConfig).
func Default() Config {
	return Config{
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   100,
	}
}

// Validate checks the block; key is its YAML path, e.g. "config.http_config".
func (c Config) Validate(key string) error {
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"idle_conn_timeout", c.IdleConnTimeout},
		{"response_header_timeout", c.ResponseHeaderTimeout},
		{"tls_handshake_timeout", c.TLSHandshakeTimeout},
		{"expect_continue_timeout", c.ExpectContinueTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s.%s: must not be negative (got %s); use 0 for no limit", key, d.name, d.v))
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{
		{"max_idle_conns", c.MaxIdleConns},
		{"max_idle_conns_per_host", c.MaxIdleConnsPerHost},
		{"max_conns_per_host", c.MaxConnsPerHost},
	} {
		if n.v < 0 {
			errs = append(errs, fmt.Errorf("%s.%s: must not be negative (got %d); use 0 for no limit", key, n.name, n.v))
		}
	}
	t := c.TLSConfig
	if (t.CertFile == "") != (t.KeyFile == "") {
		errs = append(errs, fmt.Errorf("%s.tls_config.cert_file and key_file: set both (a client certificate and its key) or neither", key))
	}
	return errors.Join(errs...)
}

// Client builds the HTTP client over Transport. key is the block's YAML path.
func (c Config) Client(key string) (*http.Client, error) {
	tr, err := c.Transport(key)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: tr}, nil
}

// Transport builds the transport. It reads the TLS files now, so that a wrong path fails at
// startup with the key named, not at the first request. key is the block's YAML path.
func (c Config) Transport(key string) (*http.Transport, error) {
	if err := c.Validate(key); err != nil {
		return nil, err
	}
	tlsConf, err := c.TLSConfig.build(key + ".tls_config")
	if err != nil {
		return nil, err
	}
	if c.InsecureSkipVerify {
		tlsConf.InsecureSkipVerify = true
	}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		IdleConnTimeout:       c.IdleConnTimeout,
		ResponseHeaderTimeout: c.ResponseHeaderTimeout,
		TLSHandshakeTimeout:   c.TLSHandshakeTimeout,
		ExpectContinueTimeout: c.ExpectContinueTimeout,
		MaxIdleConns:          c.MaxIdleConns,
		MaxIdleConnsPerHost:   c.MaxIdleConnsPerHost,
		MaxConnsPerHost:       c.MaxConnsPerHost,
		DisableCompression:    c.DisableCompression,
		TLSClientConfig:       tlsConf,
	}
	return tr, nil
}

// CopyTo sets every field Transport sets from src onto dst, for SDKs that build their own
// transport and accept options to adjust it (the AWS SDK's BuildableClient).
func CopyTo(dst, src *http.Transport) {
	dst.Proxy = src.Proxy
	dst.DialContext = src.DialContext
	dst.ForceAttemptHTTP2 = src.ForceAttemptHTTP2
	dst.IdleConnTimeout = src.IdleConnTimeout
	dst.ResponseHeaderTimeout = src.ResponseHeaderTimeout
	dst.TLSHandshakeTimeout = src.TLSHandshakeTimeout
	dst.ExpectContinueTimeout = src.ExpectContinueTimeout
	dst.MaxIdleConns = src.MaxIdleConns
	dst.MaxIdleConnsPerHost = src.MaxIdleConnsPerHost
	dst.MaxConnsPerHost = src.MaxConnsPerHost
	dst.DisableCompression = src.DisableCompression
	dst.TLSClientConfig = src.TLSClientConfig.Clone()
}

func (t TLSConfig) build(key string) (*tls.Config, error) {
	conf := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit user choice in the config file
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%s.ca_file: read the CA bundle: %w", key, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s.ca_file: %s holds no PEM certificate; give the internal CA (and its root) in PEM form", key, t.CAFile)
		}
		conf.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s.cert_file/key_file: load the client certificate: %w", key, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}
