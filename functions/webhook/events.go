package webhook

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fedcost/fedcost/shared/layout"
)

// notification is an S3-format event notification: AWS, MinIO (which adds EventName and Key
// at the top), Ceph RGW and versitygw all send Records of this shape. Only what routing needs
// is decoded, so that servers differing in the other fields (times, sizes as strings) work.
type notification struct {
	Event   string   `json:"Event"` // s3:TestEvent
	Records []record `json:"Records"`
}

type record struct {
	EventName string `json:"eventName"`
	S3        struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key string `json:"key"` // URL-encoded, '+' for space
		} `json:"object"`
	} `json:"s3"`
}

// keys returns the store-relative keys to ingest from a notification, and logs what it skips.
func (s *Server) keys(n notification, log *slog.Logger) []string {
	var keys []string
	for _, r := range n.Records {
		raw := r.S3.Object.Key
		key, err := url.QueryUnescape(raw)
		switch {
		case raw == "":
			log.Warn("event record without an object key ignored", "event_name", r.EventName)
			continue
		case err != nil:
			log.Warn("event record with a badly encoded key ignored", "key", raw, "err", err)
			continue
		case s.o.Bucket != "" && r.S3.Bucket.Name != "" && r.S3.Bucket.Name != s.o.Bucket:
			log.Warn("event of another bucket ignored", "bucket", r.S3.Bucket.Name, "key", key)
			continue
		}
		rel, ok := layout.StripPrefix(s.o.Prefix, key)
		if !ok {
			log.Debug("key outside the prefix ignored", "key", key)
			continue
		}
		if strings.HasPrefix(rel, layout.CombinedPrefix) || strings.HasPrefix(rel, layout.Root+layout.QuarantineDir+"/") {
			continue // our own writes, if the sender's filter lets them through
		}
		keys = append(keys, rel)
	}
	return keys
}

// events handles POST /events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	code := s.serveEvents(w, r)
	s.m.requests.WithLabelValues(strconv.Itoa(code)).Inc()
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) int {
	fail := func(code int, msg string) int {
		http.Error(w, msg, code)
		return code
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return fail(http.StatusMethodNotAllowed, "POST S3 event notifications here")
	}
	if !s.authorized(r) {
		return fail(http.StatusUnauthorized, "missing or wrong token")
	}
	var n notification
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	if err := dec.Decode(&n); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return fail(http.StatusRequestEntityTooLarge, "event too large")
		}
		return fail(http.StatusBadRequest, "not an S3 event notification: "+err.Error())
	}
	if n.Event == "s3:TestEvent" {
		w.WriteHeader(http.StatusOK)
		return http.StatusOK
	}
	keys := s.keys(n, s.log)
	fresh, err := s.q.add(keys)
	if err != nil {
		s.m.events.WithLabelValues("rejected").Add(float64(len(keys)))
		w.Header().Set("Retry-After", "1")
		return fail(http.StatusServiceUnavailable, "cannot take events now ("+err.Error()+"); retry")
	}
	s.m.events.WithLabelValues("accepted").Add(float64(fresh))
	s.m.events.WithLabelValues("duplicate").Add(float64(len(keys) - fresh))
	s.m.events.WithLabelValues("ignored").Add(float64(len(n.Records) - len(keys)))
	w.WriteHeader(http.StatusAccepted)
	return http.StatusAccepted
}
