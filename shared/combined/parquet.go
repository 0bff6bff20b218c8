package combined

import (
	"bytes"
	"fmt"

	"github.com/parquet-go/parquet-go"
)

// createdBy is written into every file's metadata.
const createdBy = "fedcost"

// WriteRows encodes rows as one Parquet file (zstd-compressed, one row group per 64k rows).
// Equal rows in equal order give equal bytes.
func WriteRows[T any](rows []T) ([]byte, error) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, parquet.Compression(&parquet.Zstd), parquet.CreatedBy(createdBy, "1", ""),
		parquet.PageBufferSize(256<<10), parquet.MaxRowsPerRowGroup(64<<10))
	if _, err := w.Write(rows); err != nil {
		return nil, fmt.Errorf("write parquet rows: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("close parquet writer: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadRows decodes a Parquet file written by WriteRows.
func ReadRows[T any](data []byte) ([]T, error) {
	rows, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	return rows, nil
}
