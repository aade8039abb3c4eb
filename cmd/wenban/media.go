package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"wenban/appliance/config"
	"wenban/appliance/media/token"
)

func runMedia(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "token" {
		printUnknownSubcommand(errOut, "media", args)
		fmt.Fprintln(errOut, "usage: wenban media token --data DIR --room ROOM --publish|--play [--ttl 1h]")
		fmt.Fprintln(errOut, "  token  生成 WHIP 推流（--publish）或 WHEP 拉流（--play）访问令牌")
		return errUsage
	}
	return runMediaToken(ctx, args[1:], out, errOut)
}

// runMediaToken prints a bearer token for the WHIP or WHEP endpoint of
// one room, signed with the data folder's media token key.
func runMediaToken(_ context.Context, args []string, out, errOut io.Writer) error {
	var room string
	var publish, play bool
	var ttl time.Duration
	fs := pflag.NewFlagSet("wenban media token", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	config.AddFlags(fs)
	hideServerFlags(fs)
	fs.StringVar(&room, "room", "", "room the token is valid for")
	fs.BoolVar(&publish, "publish", false, "grant publishing into the room (WHIP)")
	fs.BoolVar(&play, "play", false, "grant playing the room (WHEP)")
	fs.DurationVar(&ttl, "ttl", 0, "token lifetime, such as 1h; 0 uses media.token_ttl")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if room == "" || publish == play {
		fmt.Fprintln(errOut, "请用 --room 指定房间，并在 --publish 与 --play 中选择一项。")
		return errUsage
	}
	cfg, err := config.Load(fs)
	if err != nil {
		return err
	}
	if ttl == 0 {
		ttl = cfg.Media.TokenTTL
	}
	perm := token.PermissionPlay
	if publish {
		perm = token.PermissionPublish
	}

	signer, err := mediaSigner(cfg)
	if err != nil {
		return err
	}
	tok, err := signer.Issue(room, perm, ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(out, tok)
	return nil
}

// mediaSigner derives the hub's token key from the master key alone, so
// tokens can be issued while the hub holds the database open. It refuses
// a folder with no database, where a master key would be made for a hub
// that does not exist.
func mediaSigner(cfg config.Config) (*token.Signer, error) {
	if err := requireDatabase(cfg); err != nil {
		return nil, err
	}
	master, err := cfg.OpenMasterKey()
	if err != nil {
		return nil, err
	}
	return token.FromMaster(master)
}
