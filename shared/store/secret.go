package store

import (
	"fmt"
	"log/slog"
)

// Secret holds a credential from a configuration file (an S3 secret key, an Azure account key, a
// GCS service-account JSON). It redacts itself everywhere it could be printed: String, GoString,
// every fmt verb, YAML, JSON and slog all show "<secret>" (or "" when the secret is empty, so that
// an unset credential is still visible as unset). It decodes from a plain YAML or JSON string.
// Use Value to read the credential where it is really needed (building a client).
type Secret string

const redacted = "<secret>"

// Value returns the credential itself. Call it only to hand the secret to a client constructor.
func (s Secret) Value() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String implements fmt.Stringer.
func (s Secret) String() string { return s.shown() }

// GoString implements fmt.GoStringer (%#v).
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.shown()) }

// Format implements fmt.Formatter so that no verb (%s, %v, %q, %x, %#v …) can print the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || (verb == 'v' && f.Flag('#')):
		fmt.Fprintf(f, "%q", s.shown())
	default:
		fmt.Fprint(f, s.shown())
	}
}

// MarshalYAML implements yaml.Marshaler (gopkg.in/yaml.v3).
func (s Secret) MarshalYAML() (any, error) { return s.shown(), nil }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.shown() + `"`), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }
