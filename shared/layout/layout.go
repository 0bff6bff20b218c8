// Package layout builds and parses every object key of the fedcost bucket (the contract on
// disk, see ARCHITECTURE.md "Bucket layout"):
//
//	federated/<cluster_id>/etl/allocations/1h/<startUnix>-<endUnix>.json.gz   agent writes
//	federated/<cluster_id>/etl/allocations/1d/<startUnix>-<endUnix>.json.gz
//	federated/<cluster_id>/etl/assets/{1h,1d}/<startUnix>-<endUnix>.json.gz
//	federated/<cluster_id>/heartbeat.json                                      agent writes
//	federated/combined/…                                                       ingest writes (derived)
//	federated/quarantine/…                                                     ingest writes (refusals)
//
// Keys here are relative to the store's prefix: the store's prefix decorator adds it. Keys
// that arrive from outside with the prefix (bucket event notifications) go through
// StripPrefix first. The parser never trusts a key: path traversal, "//", backslashes,
// control characters, non-UTF-8, bad cluster ids, misaligned windows and unknown kinds,
// resolutions and extensions are refused with a *KeyError.
package layout

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Root is the top folder of everything fedcost reads and writes.
const Root = "federated/"

// Reserved folders under Root that are not cluster ids.
const (
	CombinedDir   = "combined"
	QuarantineDir = "quarantine"
)

// UploadExt is the extension of every ETL upload.
const UploadExt = ".json.gz"

// HeartbeatName is the heartbeat object's name under a cluster's folder.
const HeartbeatName = "heartbeat.json"

// Kind is what an upload holds.
type Kind string

// Upload kinds.
const (
	Allocations Kind = "allocations"
	Assets      Kind = "assets"
)

// Kinds lists every upload kind.
var Kinds = []Kind{Allocations, Assets}

// ParseKind accepts "allocations" and "assets".
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case Allocations, Assets:
		return Kind(s), nil
	}
	return "", fmt.Errorf("unknown kind %q: want allocations or assets", s)
}

// Resolution is a window length: one hour or one day.
type Resolution string

// Resolutions.
const (
	Hourly Resolution = "1h"
	Daily  Resolution = "1d"
)

// Resolutions lists every resolution.
var Resolutions = []Resolution{Hourly, Daily}

// ParseResolution accepts "1h" and "1d".
func ParseResolution(s string) (Resolution, error) {
	switch Resolution(s) {
	case Hourly, Daily:
		return Resolution(s), nil
	}
	return "", fmt.Errorf("unknown resolution %q: want 1h or 1d", s)
}

// Duration is the resolution's length.
func (r Resolution) Duration() time.Duration {
	if r == Daily {
		return 24 * time.Hour
	}
	return time.Hour
}

var clusterIDRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$`)

// ValidateClusterID checks a cluster id: lower-case DNS-label-like
// [a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?, no "..", and not a reserved name.
func ValidateClusterID(id string) error {
	switch {
	case id == "":
		return errors.New("cluster id is empty")
	case id == CombinedDir || id == QuarantineDir:
		return fmt.Errorf("cluster id %q is reserved (combined and quarantine are fedcost's own folders)", id)
	case !clusterIDRe.MatchString(id):
		return fmt.Errorf("cluster id %q is invalid: use 1-63 characters of a-z, 0-9, '.', '_', '-', starting and ending with a letter or digit", id)
	case strings.Contains(id, ".."):
		return fmt.Errorf("cluster id %q is invalid: it contains \"..\"", id)
	}
	return nil
}

// Window is an upload's time range; it is always exactly one resolution long and aligned to
// UTC multiples of it.
type Window struct {
	Start, End time.Time
}

// WindowFor returns the window of resolution r that contains t.
func WindowFor(r Resolution, t time.Time) Window {
	s := t.UTC().Truncate(r.Duration())
	return Window{Start: s, End: s.Add(r.Duration())}
}

// ValidateWindow checks that [start, end) is exactly one UTC-aligned window of r.
func ValidateWindow(r Resolution, start, end time.Time) error {
	d := r.Duration()
	if start.Unix()%int64(d/time.Second) != 0 {
		return fmt.Errorf("window start %s is not aligned to a UTC %s boundary", start.UTC().Format(time.RFC3339), r)
	}
	if end.Sub(start) != d {
		return fmt.Errorf("window [%s, %s) is %s long, want exactly %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), end.Sub(start), r)
	}
	return nil
}

// FileName is "<startUnix>-<endUnix>" followed by ext.
func (w Window) FileName(ext string) string {
	return strconv.FormatInt(w.Start.Unix(), 10) + "-" + strconv.FormatInt(w.End.Unix(), 10) + ext
}

// String is [start, end) in RFC3339.
func (w Window) String() string {
	return "[" + w.Start.UTC().Format(time.RFC3339) + ", " + w.End.UTC().Format(time.RFC3339) + ")"
}

// ParseWindowName parses "<startUnix>-<endUnix>" (without extension).
func ParseWindowName(s string) (Window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("window %q: want <startUnix>-<endUnix>", s)
	}
	start, err1 := parseUnix(a)
	end, err2 := parseUnix(b)
	if err := errors.Join(err1, err2); err != nil {
		return Window{}, fmt.Errorf("window %q: %w", s, err)
	}
	return Window{Start: start, End: end}, nil
}

func parseUnix(s string) (time.Time, error) {
	if s == "" || len(s) > 12 || (len(s) > 1 && s[0] == '0') {
		return time.Time{}, fmt.Errorf("%q is not a unix timestamp", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("%q is not a unix timestamp", s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a unix timestamp", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// checkKeyChars refuses keys that could escape a folder or confuse a backend.
func checkKeyChars(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case !utf8.ValidString(key):
		return errors.New("key is not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return errors.New("key starts with '/'")
	case strings.Contains(key, "\\"):
		return errors.New("key contains a backslash")
	case strings.Contains(key, "//"):
		return errors.New("key contains an empty path segment (//)")
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("key contains a %q path segment", seg)
		}
	}
	if strings.Contains(key, "..") {
		return errors.New("key contains \"..\"")
	}
	for _, r := range key {
		if unicode.IsControl(r) {
			return fmt.Errorf("key contains control character %U", r)
		}
	}
	return nil
}

// StripPrefix removes the store prefix (as configured in federated-store.yaml) from a full
// bucket key. ok is false when the key is outside the prefix.
func StripPrefix(prefix, key string) (rel string, ok bool) {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return key, true
	}
	return strings.CutPrefix(key, prefix+"/")
}

// JoinPrefix prepends the store prefix to a relative key.
func JoinPrefix(prefix, rel string) string {
	prefix = strings.Trim(prefix, "/")
	if prefix == "" {
		return rel
	}
	return prefix + "/" + rel
}
