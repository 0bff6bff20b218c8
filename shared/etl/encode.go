package etl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/klauspost/compress/gzip"
)

// Encode validates the document and returns it as gzip-compressed JSON, byte-for-byte
// deterministic for equal documents (map keys sorted, no gzip timestamp). What Encode writes,
// Decode accepts.
func Encode(d *Document) ([]byte, error) {
	raw, err := EncodeJSON(d)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodeJSON validates the document and returns its uncompressed JSON.
func EncodeJSON(d *Document) ([]byte, error) {
	if d.FormatVersion == 0 {
		d.FormatVersion = FormatVersion
	}
	if err := d.Upload().Validate(); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := Validate(d, d.Upload(), Limits{}); err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.Upload().Key(), err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", d.Upload().Key(), err)
	}
	return raw, nil
}
