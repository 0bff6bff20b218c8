package opencost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// envelope is OpenCost's response wrapper.
type envelope struct {
	Code    int             `json:"code"`
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// get fetches path?q and decodes the envelope's data into out.
func (s *Source) get(ctx context.Context, path string, q url.Values, out any) error {
	u := *s.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("opencost: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("opencost: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("opencost: GET %s: read: %w", path, err)
	}
	if int64(len(body)) > s.cfg.MaxResponseBytes {
		return fmt.Errorf("opencost: GET %s: response larger than %d bytes", path, s.cfg.MaxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("opencost: GET %s: HTTP %d: %s", path, resp.StatusCode, snippet(body))
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("opencost: GET %s: not an OpenCost response: %w", path, err)
	}
	if env.Code != 0 && env.Code != http.StatusOK {
		return fmt.Errorf("opencost: GET %s: code %d: %s", path, env.Code, env.Message)
	}
	if len(env.Data) == 0 || bytes.Equal(env.Data, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("opencost: GET %s: data: %w", path, err)
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
