package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"wenban/appliance/testcert"
)

func TestTLSCAPrintsCertificate(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "tls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// The server package's tests cover the CA that the hub creates; any
	// certificate shows that the command prints the file.
	der := selfSignedDER(t)
	want := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), want, 0o644); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"tls", "ca", "--data", data}, &out, &errOut); err != nil {
		t.Fatalf("tls ca: %v (stderr %q)", err, errOut.String())
	}
	block, _ := pem.Decode(out.Bytes())
	if block == nil {
		t.Fatalf("output: got %q, want a PEM certificate", out.String())
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		t.Errorf("parsing printed certificate: %v", err)
	}
}

func TestTLSCAErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		usage   bool
		wantErr string
	}{
		{"no subcommand", []string{"tls"}, true, ""},
		{"unknown subcommand", []string{"tls", "renew"}, true, ""},
		{"no CA yet", []string{"tls", "ca", "--data", "DATA"}, false, "tls.mode auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "DATA", data)
			}
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, &out, &errOut)
			if got := errors.Is(err, errUsage); got != tt.usage {
				t.Errorf("usage error: got %v (%v), want %v", got, err, tt.usage)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("stdout: got %q, want nothing", out.String())
			}
		})
	}
}

func selfSignedDER(t *testing.T) []byte {
	der, _ := testcert.CA(t, "test CA")
	return der
}
