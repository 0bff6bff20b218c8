package heartbeat

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// InstallIDFile is the name of the file, in the spool directory, that keeps the install id.
const InstallIDFile = "install-id"

var installIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// InstallID returns the agent's install id: override when set (validated), else the id kept
// in dir/install-id, else a new random UUID (version 4, crypto/rand) that is written there
// atomically so that it survives restarts.
func InstallID(dir, override string) (string, error) {
	if override != "" {
		if !installIDRe.MatchString(override) {
			return "", fmt.Errorf("install id %q: use 1-128 letters, digits, '.', '_' or '-'", override)
		}
		return override, nil
	}
	path := filepath.Join(dir, InstallIDFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		id := strings.TrimSpace(string(data))
		if !installIDRe.MatchString(id) {
			return "", fmt.Errorf("install id file %s holds %q: delete it to generate a new id", path, id)
		}
		return id, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("read install id: %w", err)
	}
	id := NewUUID()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("install id: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-install-id-*")
	if err != nil {
		return "", fmt.Errorf("install id: %w", err)
	}
	_, err = tmp.WriteString(id + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write install id: %w", err)
	}
	return id, nil
}

// NewUUID returns a random version-4 UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
