package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Class says what a key is.
type Class int

// Key classes.
const (
	// Other is anything fedcost does not own: outside federated/, or a file in a cluster folder
	// that is neither an upload nor the heartbeat (e.g. Kubecost's etl/bingen files). Ignored.
	Other Class = iota
	// UploadClass is an agent's ETL upload.
	UploadClass
	// HeartbeatClass is an agent's heartbeat object.
	HeartbeatClass
	// CombinedClass is derived data under federated/combined/ (the functions never trigger on it).
	CombinedClass
	// QuarantineClass is a refusal record under federated/quarantine/.
	QuarantineClass
)

func (c Class) String() string {
	switch c {
	case UploadClass:
		return "upload"
	case HeartbeatClass:
		return "heartbeat"
	case CombinedClass:
		return "combined"
	case QuarantineClass:
		return "quarantine"
	}
	return "other"
}

// KeyError says why a key was refused. Class is what the key looks like: an UploadClass key
// with an error is a bad upload (quarantine it); any other class with an error is ignored.
// Cluster is set when the cluster id part was valid.
type KeyError struct {
	Key     string
	Class   Class
	Cluster string
	Reason  string
}

func (e *KeyError) Error() string { return fmt.Sprintf("key %q: %s", e.Key, e.Reason) }

// Upload identifies one ETL upload.
type Upload struct {
	Cluster    string
	Kind       Kind
	Resolution Resolution
	Window     Window
}

// Key is federated/<cluster>/etl/<kind>/<resolution>/<start>-<end>.json.gz.
func (u Upload) Key() string {
	return ClusterPrefix(u.Cluster) + "etl/" + string(u.Kind) + "/" + string(u.Resolution) + "/" + u.Window.FileName(UploadExt)
}

// Validate checks the cluster id and that the window is one aligned window of the resolution.
func (u Upload) Validate() error {
	if err := ValidateClusterID(u.Cluster); err != nil {
		return err
	}
	if _, err := ParseKind(string(u.Kind)); err != nil {
		return err
	}
	if _, err := ParseResolution(string(u.Resolution)); err != nil {
		return err
	}
	return ValidateWindow(u.Resolution, u.Window.Start, u.Window.End)
}

// ClusterPrefix is federated/<cluster>/.
func ClusterPrefix(cluster string) string { return Root + cluster + "/" }

// UploadPrefix is federated/<cluster>/etl/<kind>/<resolution>/.
func UploadPrefix(cluster string, k Kind, r Resolution) string {
	return ClusterPrefix(cluster) + "etl/" + string(k) + "/" + string(r) + "/"
}

// HeartbeatKey is federated/<cluster>/heartbeat.json.
func HeartbeatKey(cluster string) string { return ClusterPrefix(cluster) + HeartbeatName }

// Parsed is what Parse found.
type Parsed struct {
	Class   Class
	Cluster string // upload and heartbeat
	Upload  Upload // UploadClass only
}

// Parse classifies a key (relative to the store prefix) and, for uploads, parses and
// validates every part. See KeyError for how to treat errors.
func Parse(key string) (Parsed, error) {
	if err := checkKeyChars(key); err != nil {
		cls := Other
		if strings.HasPrefix(key, Root) {
			cls = UploadClass // anything under federated/ with a hostile shape is refused loudly
		}
		return Parsed{Class: cls}, &KeyError{Key: key, Class: cls, Reason: err.Error()}
	}
	rest, ok := strings.CutPrefix(key, Root)
	if !ok {
		return Parsed{Class: Other}, nil
	}
	cluster, sub, _ := strings.Cut(rest, "/")
	switch cluster {
	case CombinedDir:
		return Parsed{Class: CombinedClass}, nil
	case QuarantineDir:
		return Parsed{Class: QuarantineClass}, nil
	}
	looksUpload := strings.HasPrefix(sub, "etl/") && !strings.HasPrefix(sub, "etl/bingen/")
	if sub == HeartbeatName {
		if err := ValidateClusterID(cluster); err != nil {
			return Parsed{Class: HeartbeatClass}, &KeyError{Key: key, Class: HeartbeatClass, Reason: err.Error()}
		}
		return Parsed{Class: HeartbeatClass, Cluster: cluster}, nil
	}
	if !looksUpload {
		return Parsed{Class: Other}, nil
	}
	fail := func(c string, format string, args ...any) (Parsed, error) {
		return Parsed{Class: UploadClass, Cluster: c}, &KeyError{Key: key, Class: UploadClass, Cluster: c, Reason: fmt.Sprintf(format, args...)}
	}
	if err := ValidateClusterID(cluster); err != nil {
		return fail("", "%v", err)
	}
	parts := strings.Split(strings.TrimPrefix(sub, "etl/"), "/")
	if len(parts) != 3 {
		return fail(cluster, "want federated/<cluster>/etl/<kind>/<resolution>/<start>-<end>%s", UploadExt)
	}
	kind, err := ParseKind(parts[0])
	if err != nil {
		return fail(cluster, "%v", err)
	}
	res, err := ParseResolution(parts[1])
	if err != nil {
		return fail(cluster, "%v", err)
	}
	name, ok := strings.CutSuffix(parts[2], UploadExt)
	if !ok {
		return fail(cluster, "unknown extension in %q: uploads end in %s", parts[2], UploadExt)
	}
	w, err := ParseWindowName(name)
	if err != nil {
		return fail(cluster, "%v", err)
	}
	if err := ValidateWindow(res, w.Start, w.End); err != nil {
		return fail(cluster, "%v", err)
	}
	u := Upload{Cluster: cluster, Kind: kind, Resolution: res, Window: w}
	return Parsed{Class: UploadClass, Cluster: cluster, Upload: u}, nil
}

// QuarantineKey is where the refusal record of an upload key is written:
// federated/quarantine/<cluster or _unknown>/<sha256(key)>.json. Hashing keeps a hostile key
// from shaping the record's path.
func QuarantineKey(cluster, uploadKey string) string {
	if ValidateClusterID(cluster) != nil {
		cluster = "_unknown"
	}
	sum := sha256.Sum256([]byte(uploadKey))
	return Root + QuarantineDir + "/" + cluster + "/" + hex.EncodeToString(sum[:16]) + ".json"
}

// QuarantinePrefix is federated/quarantine/ (or that of one cluster when cluster != "").
func QuarantinePrefix(cluster string) string {
	if cluster == "" {
		return Root + QuarantineDir + "/"
	}
	return Root + QuarantineDir + "/" + cluster + "/"
}
