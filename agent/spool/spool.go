// Package spool keeps uploads on local disk while the bucket is unreachable, so that nothing
// built during an outage is lost.
//
// Contracts:
//   - One file per object key: a newer build of a window replaces the spooled older one.
//   - Writes are atomic (temporary file, fsync, rename, fsync of the directory): after a crash
//     a spooled file is either the old or the new build, never a torn one. Leftover temporary
//     files are removed by Open.
//   - List returns uploads oldest window first (then resolution, kind, key), the order in
//     which the agent drains them.
//   - Bounded: Put drops files whose window ended more than MaxAge ago, then the oldest
//     windows while the spool exceeds MaxBytes, and reports what it dropped.
//   - The directory survives restarts; the agent drains it on start.
//
// A Spool is safe for concurrent use.
package spool

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fedcost/fedcost/shared/layout"
)

// Defaults bound the spool: four days of windows and 1 GiB.
const (
	DefaultMaxAge   = 96 * time.Hour
	DefaultMaxBytes = 1 << 30
)

const (
	fileExt   = ".upload"
	tmpPrefix = ".tmp-"
	header    = "fedcost-spool 1 "
)

// Limits bound a spool. Zero fields mean the defaults.
type Limits struct {
	MaxAge   time.Duration
	MaxBytes int64
}

// Meta is what the spool keeps beside an upload's bytes.
type Meta struct {
	Empty   bool      // the document holds no records
	BuiltAt time.Time // when the document was built
}

// Entry is one spooled upload.
type Entry struct {
	Key    string
	Upload layout.Upload // zero if the key is not an upload key
	Meta
	Size int64 // bytes on disk
	path string
}

// Spool is a directory of pending uploads.
type Spool struct {
	dir string
	lim Limits
	now func() time.Time
	mu  sync.Mutex
}

// Open creates dir if needed and removes temporary files left by a crash.
func Open(dir string, lim Limits, now func() time.Time) (*Spool, error) {
	if lim.MaxAge <= 0 {
		lim.MaxAge = DefaultMaxAge
	}
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: create %s: %w", dir, err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: read %s: %w", dir, err)
	}
	for _, n := range names {
		if strings.HasPrefix(n.Name(), tmpPrefix) {
			if err := os.Remove(filepath.Join(dir, n.Name())); err != nil {
				return nil, fmt.Errorf("spool: remove leftover %s: %w", n.Name(), err)
			}
		}
	}
	return &Spool{dir: dir, lim: lim, now: now}, nil
}

// Dir is the spool directory.
func (s *Spool) Dir() string { return s.dir }

func fileName(key string) string { return url.QueryEscape(key) + fileExt }

// Put stores data for key atomically, replacing a spooled older build of the same key, then
// enforces the limits. dropped lists what the limits removed (possibly the new file itself,
// when its window is already older than MaxAge).
func (s *Spool) Put(key string, data []byte, m Meta) (dropped []Entry, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.write(fileName(key), data, m); err != nil {
		return nil, fmt.Errorf("spool %s: %w", key, err)
	}
	return s.enforce()
}

func (s *Spool) write(name string, data []byte, m Meta) error {
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	tmp := filepath.Join(s.dir, tmpPrefix+hex.EncodeToString(suffix))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	_, err = w.WriteString(formatMeta(m))
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// List returns the spooled uploads, oldest window first.
func (s *Spool) List() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.list()
}

func (s *Spool) list() ([]Entry, error) {
	names, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("spool: read %s: %w", s.dir, err)
	}
	var out []Entry
	for _, n := range names {
		name, ok := strings.CutSuffix(n.Name(), fileExt)
		if !ok || n.IsDir() {
			continue
		}
		key, err := url.QueryUnescape(name)
		if err != nil {
			continue // not ours
		}
		info, err := n.Info()
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("spool: stat %s: %w", n.Name(), err)
		}
		e := Entry{Key: key, Size: info.Size(), path: filepath.Join(s.dir, n.Name())}
		if p, err := layout.Parse(key); err == nil && p.Class == layout.UploadClass {
			e.Upload = p.Upload
		}
		e.Meta, err = readMeta(e.path)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out, nil
}

func less(a, b Entry) bool {
	ua, ub := a.Upload, b.Upload
	switch {
	case !ua.Window.Start.Equal(ub.Window.Start):
		return ua.Window.Start.Before(ub.Window.Start)
	case !ua.Window.End.Equal(ub.Window.End):
		return ua.Window.End.Before(ub.Window.End)
	}
	return a.Key < b.Key
}

// The first line of a spool file: "fedcost-spool 1 empty=<0|1> built=<unix nanoseconds>".
func formatMeta(m Meta) string {
	empty := "0"
	if m.Empty {
		empty = "1"
	}
	return header + "empty=" + empty + " built=" + strconv.FormatInt(m.BuiltAt.UnixNano(), 10) + "\n"
}

func readMeta(path string) (Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, fmt.Errorf("spool: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, header) {
		return Meta{}, fmt.Errorf("spool: %s is not a spool file", path)
	}
	var m Meta
	for _, field := range strings.Fields(strings.TrimPrefix(line, header)) {
		k, v, _ := strings.Cut(field, "=")
		switch k {
		case "empty":
			m.Empty = v == "1"
		case "built":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				m.BuiltAt = time.Unix(0, n).UTC()
			}
		}
	}
	return m, nil
}

// Read returns the upload bytes of an entry.
func (s *Spool) Read(e Entry) ([]byte, error) {
	raw, err := os.ReadFile(e.path)
	if err != nil {
		return nil, fmt.Errorf("spool: read %s: %w", e.Key, err)
	}
	i := bytes.IndexByte(raw, '\n')
	if i < 0 || !bytes.HasPrefix(raw, []byte(header)) {
		return nil, fmt.Errorf("spool: %s is not a spool file", e.path)
	}
	return raw[i+1:], nil
}

// Remove deletes an entry once it was uploaded. A missing file is not an error.
func (s *Spool) Remove(e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(e.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: remove %s: %w", e.Key, err)
	}
	return nil
}

// Stats returns the number of spooled files and their bytes.
func (s *Spool) Stats() (files int, size int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := s.list()
	for _, e := range entries {
		files++
		size += e.Size
	}
	return files, size, err
}

// enforce drops what is older than MaxAge, then the oldest while over MaxBytes.
func (s *Spool) enforce() ([]Entry, error) {
	entries, err := s.list()
	if err != nil {
		return nil, err
	}
	cutoff := s.now().Add(-s.lim.MaxAge)
	var total int64
	keep := entries[:0:0]
	var dropped []Entry
	for _, e := range entries {
		if !e.Upload.Window.End.IsZero() && e.Upload.Window.End.Before(cutoff) {
			dropped = append(dropped, e)
			continue
		}
		keep = append(keep, e)
		total += e.Size
	}
	for len(keep) > 0 && total > s.lim.MaxBytes {
		dropped = append(dropped, keep[0])
		total -= keep[0].Size
		keep = keep[1:]
	}
	for _, e := range dropped {
		if err := os.Remove(e.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return dropped, fmt.Errorf("spool: drop %s: %w", e.Key, err)
		}
	}
	return dropped, nil
}
