package etl

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fedcost/fedcost/shared/layout"
)

// Limits bound what Decode accepts. The zero value means DefaultLimits.
type Limits struct {
	MaxCompressed   int64 // bytes of gzip input
	MaxDecompressed int64 // bytes of JSON after decompression
	// MaxRatio is the largest decompressed/compressed ratio accepted once the output passes
	// 1 MiB: JSON compresses 5–50×; a gzip bomb compresses ~1000×.
	MaxRatio   int64
	MaxRecords int
}

// DefaultLimits fit a 50,000-container daily upload with room to spare.
var DefaultLimits = Limits{
	MaxCompressed:   256 << 20,
	MaxDecompressed: 2 << 30,
	MaxRatio:        200,
	MaxRecords:      2_000_000,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxCompressed > 0 {
		d.MaxCompressed = l.MaxCompressed
	}
	if l.MaxDecompressed > 0 {
		d.MaxDecompressed = l.MaxDecompressed
	}
	if l.MaxRatio > 0 {
		d.MaxRatio = l.MaxRatio
	}
	if l.MaxRecords > 0 {
		d.MaxRecords = l.MaxRecords
	}
	return d
}

const ratioGrace = 1 << 20

// limitReader fails once more than max bytes were read, or once the output passes ratioGrace
// and exceeds ratio × the compressed size.
type limitReader struct {
	r          io.Reader
	n          int64
	max        int64
	compressed int64
	ratio      int64
	err        *Error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	switch {
	case l.n > l.max:
		l.err = refuse(ReasonDecompressedTooLarge, "", "", "more than %d bytes after decompression", l.max)
	case l.n > ratioGrace && l.n > l.ratio*l.compressed:
		l.err = refuse(ReasonRatioExceeded, "", "", "decompressed size passed %d× the %d compressed bytes (gzip bomb?)", l.ratio, l.compressed)
	}
	if l.err != nil {
		return 0, l.err
	}
	return n, err
}

// Decode reads and validates a gzip-compressed document. want is the identity from the
// object's key (layout.Parse); the document must match it. Every refusal is an *Error.
func Decode(data []byte, want layout.Upload, lim Limits) (*Document, error) {
	lim = lim.orDefault()
	if int64(len(data)) > lim.MaxCompressed {
		return nil, refuse(ReasonCompressedTooLarge, "", "", "%d bytes, limit %d", len(data), lim.MaxCompressed)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, refuse(ReasonNotGzip, "", "", "%v", err)
	}
	lr := &limitReader{r: zr, max: lim.MaxDecompressed, compressed: max(int64(len(data)), 1), ratio: lim.MaxRatio}
	doc, err := decodeJSON(lr, lim)
	if err != nil {
		return nil, err
	}
	if err := Validate(doc, want, lim); err != nil {
		return nil, err
	}
	return doc, nil
}

// DecodeJSON decodes and validates an uncompressed document (for tools and tests).
func DecodeJSON(data []byte, want layout.Upload, lim Limits) (*Document, error) {
	lim = lim.orDefault()
	lr := &limitReader{r: bytes.NewReader(data), max: lim.MaxDecompressed, compressed: int64(len(data)), ratio: 1 << 40}
	doc, err := decodeJSON(lr, lim)
	if err != nil {
		return nil, err
	}
	return doc, Validate(doc, want, lim)
}

// header is decoded first so that an unknown version is refused with its own message, not
// as a schema error.
type header struct {
	FormatVersion *int `json:"formatVersion"`
}

func decodeJSON(r *limitReader, lim Limits) (*Document, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, refuse(ReasonNotGzip, "", "", "%v", err)
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, jsonError(err)
	}
	if h.FormatVersion == nil {
		return nil, refuse(ReasonMissingField, "", "formatVersion", "the document has no formatVersion")
	}
	if *h.FormatVersion != FormatVersion {
		return nil, refuse(ReasonUnknownVersion, "", "formatVersion", "version %d is not supported (this fedcost reads version %d); upgrade the aggregator or downgrade the agent", *h.FormatVersion, FormatVersion)
	}
	if n := countRecords(raw); n > lim.MaxRecords {
		return nil, refuse(ReasonTooManyRecords, "", "", "about %d records, limit %d", n, lim.MaxRecords)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, refuse(ReasonBadJSON, "", "", "trailing data after the document")
	}
	return &doc, nil
}

// countRecords estimates the record count cheaply before decoding: every record has a
// "start" key. It over-counts (windows have one too), which only makes the limit stricter
// by a constant.
func countRecords(raw []byte) int {
	return bytes.Count(raw, []byte(`"start":`)) / 2
}

func jsonError(err error) *Error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		if strings.HasPrefix(ute.Value, "number") {
			return refuse(ReasonNotFinite, "", ute.Field, "%s does not fit a %s", ute.Value, ute.Type)
		}
		return refuse(ReasonBadJSON, "", ute.Field, "%s where a %s belongs", ute.Value, ute.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return refuse(ReasonBadJSON, "", "", "syntax error at byte %d: %v", se.Offset, se)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return refuse(ReasonUnknownField, "", strings.Trim(f, `"`), "not part of format version %d", FormatVersion)
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return refuse(ReasonBadJSON, "", "", "the document is truncated")
	}
	return refuse(ReasonBadJSON, "", "", "%s", fmt.Sprint(err))
}
