package etl

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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
	hint       int64
	err        *Error
}

// sizeHint guesses the decompressed size (gzip's trailer holds it mod 2^32) within limits.
func (l *limitReader) sizeHint() int {
	h := l.hint
	if h <= 0 || h > l.max {
		h = min(l.max, 64<<10)
	}
	return int(min(h, 1<<30))
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
	if n := len(data); n >= 18 {
		lr.hint = int64(binary.LittleEndian.Uint32(data[n-4:]))
	}
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
	lr := &limitReader{r: bytes.NewReader(data), max: lim.MaxDecompressed, compressed: int64(len(data)), ratio: 1 << 40, hint: int64(len(data))}
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
	buf := bytes.NewBuffer(make([]byte, 0, r.sizeHint()))
	if _, err := buf.ReadFrom(r); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, refuse(ReasonNotGzip, "", "", "%v", err)
	}
	raw := buf.Bytes()
	if n := countRecords(raw); n > lim.MaxRecords {
		return nil, refuse(ReasonTooManyRecords, "", "", "about %d records, limit %d", n, lim.MaxRecords)
	}
	// encoding/json v2 semantics (go-json-experiment/json): unknown members, duplicate
	// names, invalid UTF-8 and trailing data are refused; ~1.5–2× faster than v1.
	var doc documentJSON
	if err := jsonv2.Unmarshal(raw, &doc, jsonv2.RejectUnknownMembers(true)); err != nil {
		// A schema error may stem from a newer format: report the version first.
		if verr := checkVersion(raw); verr != nil {
			return nil, verr
		}
		return nil, jsonError(err)
	}
	if doc.FormatVersion == nil {
		return nil, refuse(ReasonMissingField, "", "formatVersion", "the document has no formatVersion")
	}
	if err := versionError(*doc.FormatVersion); err != nil {
		return nil, err
	}
	d := doc.Document
	d.FormatVersion = *doc.FormatVersion
	return &d, nil
}

// documentJSON decodes a Document while telling a missing formatVersion from version 0.
type documentJSON struct {
	FormatVersion *int `json:"formatVersion"`
	Document
}

func versionError(v int) *Error {
	if v != FormatVersion {
		return refuse(ReasonUnknownVersion, "", "formatVersion", "version %d is not supported (this fedcost reads version %d); upgrade the aggregator or downgrade the agent", v, FormatVersion)
	}
	return nil
}

// checkVersion parses only the header of a document that failed to decode.
func checkVersion(raw []byte) *Error {
	var h header
	if json.Unmarshal(raw, &h) != nil || h.FormatVersion == nil {
		return nil
	}
	return versionError(*h.FormatVersion)
}

// pointerParts splits a JSON pointer such as /allocations/<name>/cpuCost into the record
// name and the field path.
func pointerParts(p string) (record, field string) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(segs[i], "~1", "/"), "~0", "~")
	}
	if len(segs) >= 2 && (segs[0] == "allocations" || segs[0] == "assets") {
		return segs[1], strings.Join(segs[2:], ".")
	}
	return "", strings.Join(segs, ".")
}

// countRecords estimates the record count cheaply before decoding: every record has a
// "start" key. It over-counts (windows have one too), which only makes the limit stricter
// by a constant.
func countRecords(raw []byte) int {
	return bytes.Count(raw, []byte(`"start":`)) / 2
}

func jsonError(err error) *Error {
	var se *jsonv2.SemanticError
	if errors.As(err, &se) {
		record, field := pointerParts(string(se.JSONPointer))
		switch {
		case errors.Is(err, jsonv2.ErrUnknownName):
			return refuse(ReasonUnknownField, record, field, "not part of format version %d", FormatVersion)
		case se.JSONKind == '0' && se.GoType != nil && se.GoType.Kind() == reflect.Float64:
			return refuse(ReasonNotFinite, record, field, "%s does not fit a float64", truncate(string(se.JSONValue), 40))
		}
		return refuse(ReasonBadJSON, record, field, "%v", se.Err)
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return refuse(ReasonBadJSON, "", "", "the document is truncated")
		}
		return refuse(ReasonBadJSON, "", "", "syntax error at byte %d: %v", syn.ByteOffset, syn.Err)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		if strings.HasPrefix(ute.Value, "number") {
			return refuse(ReasonNotFinite, "", ute.Field, "%s does not fit a %s", ute.Value, ute.Type)
		}
		return refuse(ReasonBadJSON, "", ute.Field, "%s where a %s belongs", ute.Value, ute.Type)
	}
	var v1syn *json.SyntaxError
	if errors.As(err, &v1syn) {
		return refuse(ReasonBadJSON, "", "", "syntax error at byte %d: %v", v1syn.Offset, v1syn)
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
