package provision

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHubProbeFollowsTLSHub(t *testing.T) {
	tests := []struct {
		name    string
		server  func(http.Handler) *httptest.Server
		status  int
		wantErr string
	}{
		{"plain hub healthy", httptest.NewServer, http.StatusOK, ""},
		{"TLS hub healthy", httptest.NewTLSServer, http.StatusOK, ""},
		{"TLS hub unhealthy", httptest.NewTLSServer, http.StatusServiceUnavailable, "status 503"},
		{"plain hub unhealthy", httptest.NewServer, http.StatusServiceUnavailable, "status 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()

			listen := strings.TrimPrefix(strings.TrimPrefix(srv.URL, "https://"), "http://")
			err := Gate{}.hubProbe(listen)(context.Background())

			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want the probe to pass", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
