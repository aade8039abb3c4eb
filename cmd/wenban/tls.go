package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/server"
)

func runTLS(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "ca" {
		printUnknownSubcommand(errOut, "tls", args)
		fmt.Fprintln(errOut, "usage: wenban tls ca --data DIR")
		fmt.Fprintln(errOut, "  ca  输出本机 CA 证书（PEM），供坐席和自助终端导入信任（provision --hub-cert）")
		return errUsage
	}
	return runTLSCA(ctx, args[1:], out, errOut)
}

// runTLSCA prints the local CA certificate that tls.mode auto created, so
// a technician can copy it to the seats and kiosks.
func runTLSCA(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban tls ca", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	hideServerFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}

	pem, err := server.ExportCA(cfg)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", pem)
	return err
}
