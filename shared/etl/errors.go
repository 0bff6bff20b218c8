package etl

import (
	"fmt"
	"strings"
)

// Reason is a short, stable code for why a document was refused (used in quarantine
// records and metric labels).
type Reason string

// Refusal reasons.
const (
	ReasonCompressedTooLarge   Reason = "compressed_too_large"
	ReasonDecompressedTooLarge Reason = "decompressed_too_large"
	ReasonRatioExceeded        Reason = "compression_ratio_exceeded"
	ReasonNotGzip              Reason = "not_gzip"
	ReasonBadJSON              Reason = "bad_json"
	ReasonUnknownField         Reason = "unknown_field"
	ReasonUnknownVersion       Reason = "unknown_format_version"
	ReasonKindMismatch         Reason = "kind_mismatch"
	ReasonResolutionMismatch   Reason = "resolution_mismatch"
	ReasonClusterMismatch      Reason = "cluster_mismatch"
	ReasonWindowMismatch       Reason = "window_mismatch"
	ReasonBadWindow            Reason = "bad_window"
	ReasonTooManyRecords       Reason = "too_many_records"
	ReasonRecordOutsideWindow  Reason = "record_outside_window"
	ReasonNotFinite            Reason = "not_finite"
	ReasonNegative             Reason = "negative_value"
	ReasonOutOfRange           Reason = "out_of_range"
	ReasonNameMismatch         Reason = "name_mismatch"
	ReasonBadName              Reason = "bad_name"
	ReasonWrongSection         Reason = "wrong_section"
	ReasonTooLong              Reason = "too_long"
	ReasonMissingField         Reason = "missing_field"
)

// Error is a refusal: what was wrong (Reason, Detail) and where (Record, Field).
type Error struct {
	Reason Reason
	Record string // allocation name or asset key, if the problem is in one record
	Field  string // JSON field name, if known
	Detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Reason))
	if e.Record != "" {
		fmt.Fprintf(&b, ": record %q", truncate(e.Record, 200))
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func refuse(r Reason, record, field, format string, args ...any) *Error {
	return &Error{Reason: r, Record: record, Field: field, Detail: fmt.Sprintf(format, args...)}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
