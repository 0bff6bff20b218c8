package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/fedcost/fedcost/shared/combined"
	"github.com/parquet-go/parquet-go"
)

// readRows decodes a derived Parquet object column by column into rows of T, reusing one
// value buffer. It reads what combined.ReadRows reads (tested equal) at a fraction of the
// cost for the cache's many small objects: combined.ReadRows allocates and clears a
// 170-value buffer per column per object and rebuilds rows by reflection. Any column this
// decoder does not know makes it fall back to combined.ReadRows.
func readRows[T any](data []byte) ([]T, error) {
	rows, err := readColumns[T](data)
	if errors.Is(err, errUnknownColumn) {
		return combined.ReadRows[T](data)
	}
	return rows, err
}

var errUnknownColumn = errors.New("column not in the row type")

// field is where one Parquet leaf column goes in T.
type field struct {
	index int
	kind  reflect.Kind
	part  string // for map fields: "key" or "value"
}

var plans sync.Map // reflect.Type → map[string]field (by dotted leaf path)

func planOf(t reflect.Type) map[string]field {
	if p, ok := plans.Load(t); ok {
		return p.(map[string]field)
	}
	p := map[string]field{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		if name == "" || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Map:
			if f.Type.Key().Kind() == reflect.String && f.Type.Elem().Kind() == reflect.String {
				p[name+".key_value.key"] = field{i, reflect.Map, "key"}
				p[name+".key_value.value"] = field{i, reflect.Map, "value"}
			}
		case reflect.String, reflect.Float64, reflect.Int64, reflect.Bool:
			p[name] = field{i, f.Type.Kind(), ""}
		}
	}
	plans.Store(t, p)
	return p
}

var valuePool = sync.Pool{New: func() any { b := make([]parquet.Value, 256); return &b }}

func readColumns[T any](data []byte) ([]T, error) {
	f, err := openParquet(data)
	if err != nil {
		return nil, err
	}
	return decodeColumns[T](f, f.RowGroups())
}

func openParquet(data []byte) (*parquet.File, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	return f, nil
}

// readFleet decodes one section of a fleet rollups object (combined.WriteFleet: the first
// holds the namespace and idle rows, the second the others) with the column decoder, reading
// only that section's row groups. It returns the index and, per cluster of the index, the
// cluster's rows of that section.
func readFleet(data []byte, first bool) (*combined.FleetIndex, [][]combined.AllocationRow, error) {
	f, err := openParquet(data)
	if err != nil {
		return nil, nil, err
	}
	idx, err := combined.FleetIndexOf(f)
	if err != nil {
		return nil, nil, err
	}
	want := idx.FirstRows()
	groups := f.RowGroups()
	split, n := -1, int64(0)
	for i, rg := range groups {
		if n == want {
			split = i
			break
		}
		n += rg.NumRows()
	}
	if split < 0 && n == want {
		split = len(groups)
	}
	if split < 0 {
		return nil, nil, fmt.Errorf("fleet object: its first section (%d rows) does not end a row group", want)
	}
	sel := groups[split:]
	if first {
		sel = groups[:split]
	}
	rows, err := decodeColumns[combined.AllocationRow](f, sel)
	if errors.Is(err, errUnknownColumn) {
		var all []combined.AllocationRow
		if all, err = combined.ReadRows[combined.AllocationRow](data); err == nil {
			rows = all[want:]
			if first {
				rows = all[:want]
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	parts := make([][]combined.AllocationRow, len(idx.Clusters))
	at := 0
	for i, c := range idx.Clusters {
		k := c.First
		if !first {
			k = c.Rows - c.First
		}
		parts[i] = rows[at : at+k]
		at += k
	}
	return idx, parts, nil
}

func decodeColumns[T any](f *parquet.File, groups []parquet.RowGroup) ([]T, error) {
	plan := planOf(reflect.TypeFor[T]())
	paths := f.Schema().Columns()
	fields := make([]field, len(paths))
	for i, p := range paths {
		fd, ok := plan[strings.Join(p, ".")]
		if !ok {
			return nil, errUnknownColumn
		}
		fields[i] = fd
	}
	var total int64
	for _, rg := range groups {
		total += rg.NumRows()
	}
	rows := make([]T, total)
	bufp := valuePool.Get().(*[]parquet.Value)
	defer valuePool.Put(bufp)
	buf := *bufp
	base := 0
	for _, rg := range groups {
		n := int(rg.NumRows())
		chunks := rg.ColumnChunks()
		keys := map[int][]mapEntry{} // field index → entries, from the key column
		for ci, fd := range fields {
			row := base - 1
			entry := 0
			err := eachValue(chunks[ci], buf, func(v parquet.Value) error {
				if fd.kind != reflect.Map {
					row++
					if row >= base+n {
						return fmt.Errorf("column %s: more values than rows", strings.Join(paths[ci], "."))
					}
					fv := reflect.ValueOf(&rows[row]).Elem().Field(fd.index)
					switch fd.kind {
					case reflect.String:
						fv.SetString(string(v.ByteArray()))
					case reflect.Float64:
						fv.SetFloat(v.Double())
					case reflect.Int64:
						fv.SetInt(v.Int64())
					case reflect.Bool:
						fv.SetBool(v.Boolean())
					}
					return nil
				}
				if v.RepetitionLevel() == 0 {
					row++
				}
				if row >= base+n {
					return fmt.Errorf("column %s: more values than rows", strings.Join(paths[ci], "."))
				}
				if v.DefinitionLevel() == 0 {
					return nil // empty map
				}
				if fd.part == "key" {
					keys[fd.index] = append(keys[fd.index], mapEntry{row, string(v.ByteArray())})
					return nil
				}
				es := keys[fd.index]
				if entry >= len(es) || es[entry].row != row {
					return fmt.Errorf("column %s: values do not match keys", strings.Join(paths[ci], "."))
				}
				m := reflect.ValueOf(&rows[row]).Elem().Field(fd.index)
				if m.IsNil() {
					m.Set(reflect.MakeMap(m.Type()))
				}
				m.SetMapIndex(reflect.ValueOf(es[entry].key), reflect.ValueOf(string(v.ByteArray())))
				entry++
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		base += n
	}
	return rows, nil
}

type mapEntry struct {
	row int
	key string
}

// eachValue calls fn for every value of a column chunk, in order.
func eachValue(cc parquet.ColumnChunk, buf []parquet.Value, fn func(parquet.Value) error) error {
	pages := cc.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read page: %w", err)
		}
		vr := p.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				if ferr := fn(v); ferr != nil {
					parquet.Release(p)
					return ferr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(p)
				return fmt.Errorf("read values: %w", err)
			}
		}
		parquet.Release(p)
	}
}
