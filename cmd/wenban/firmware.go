package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"wenban/firmware/bundle"
	"wenban/firmware/release"
	"wenban/firmware/semver"
)

func runFirmware(ctx context.Context, args []string, out, errOut io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"keygen": runFirmwareKeygen,
		"sign":   runFirmwareSign,
		"verify": runFirmwareVerify,
	}
	if len(args) == 0 || sub[args[0]] == nil {
		printUnknownSubcommand(errOut, "firmware", args)
		fmt.Fprintln(errOut, "usage: wenban firmware keygen|sign|verify [flags]")
		fmt.Fprintln(errOut, "  keygen --key FILE --public FILE          生成 Ed25519 签名密钥（私钥 0600，离线保管）")
		fmt.Fprintln(errOut, "  sign --key FILE --version V --hardware-class C --rootfs F --kernel F --initrd F -o BUNDLE")
		fmt.Fprintln(errOut, "                                           制作并签名更新包")
		fmt.Fprintln(errOut, "  verify [--keys FILE --hardware-class C --current V] BUNDLE  校验更新包（不写入任何内容）")
		return errUsage
	}
	return sub[args[0]](ctx, args[1:], out, errOut)
}

func runFirmwareKeygen(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban firmware keygen", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	keyPath := fs.String("key", "", "private key file to create (PEM PKCS #8, mode 0600)")
	pubPath := fs.String("public", "", "public key file to create (PEM PKIX)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *keyPath == "" || *pubPath == "" || fs.NArg() != 0 {
		fmt.Fprintln(errOut, "usage: wenban firmware keygen --key FILE --public FILE")
		return errUsage
	}

	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		return err
	}
	if err := bundle.WritePrivateKeyFile(*keyPath, priv); err != nil {
		return err
	}
	if err := bundle.WritePublicKeyFile(*pubPath, pub); err != nil {
		return err
	}
	fmt.Fprintf(out, "已生成签名密钥，密钥编号 %s。私钥 %s 须离线保管；公钥 %s 烧入系统镜像。\n", bundle.KeyIDOf(pub), *keyPath, *pubPath)
	return nil
}

func runFirmwareSign(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban firmware sign", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	var spec release.Spec
	keyPath := fs.String("key", "", "Ed25519 private key file (PEM PKCS #8, mode 0600)")
	version := fs.String("version", "", "firmware version, Semantic Versioning 2.0.0")
	minFrom := fs.String("min-from", "", "oldest running version the bundle may upgrade; empty for no limit")
	fs.StringVar(&spec.HardwareClass, "hardware-class", "", "hardware class of the terminals the bundle is for")
	rootfs := fs.String("rootfs", "", "root-slot image")
	kernel := fs.String("kernel", "", "kernel image booted with the root slot")
	initrd := fs.String("initrd", "", "initrd booted with the root slot")
	output := fs.StringP("output", "o", "", "bundle file to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *keyPath == "" || *version == "" || *output == "" || *rootfs == "" {
		fmt.Fprintln(errOut, "usage: wenban firmware sign --key FILE --version V --hardware-class C --rootfs F --kernel F --initrd F -o BUNDLE")
		return errUsage
	}

	priv, err := bundle.ReadPrivateKeyFile(*keyPath)
	if err != nil {
		return err
	}
	if spec.Version, err = semver.Parse(*version); err != nil {
		return fmt.Errorf("--version %q: %w", *version, err)
	}
	if *minFrom != "" {
		v, err := semver.Parse(*minFrom)
		if err != nil {
			return fmt.Errorf("--min-from %q: %w", *minFrom, err)
		}
		spec.MinFromVersion = &v
	}
	spec.Created = time.Now().UTC().Truncate(time.Second)
	spec.Parts = []release.File{{Name: bundle.RootfsPart, Path: *rootfs}}
	for name, path := range map[string]string{"kernel": *kernel, "initrd": *initrd} {
		if path != "" {
			spec.Parts = append(spec.Parts, release.File{Name: name, Path: path})
		}
	}

	m, err := release.Build(*output, spec, priv)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "已写入更新包 %s：版本 %s，机型 %s，%d 个组成部分，签名密钥 %s。\n",
		*output, m.Version, m.HardwareClass, len(m.Parts), bundle.KeyIDOf(priv.Public().(ed25519.PublicKey)))
	return nil
}

func runFirmwareVerify(_ context.Context, args []string, out, errOut io.Writer) error {
	fs := pflag.NewFlagSet("wenban firmware verify", pflag.ContinueOnError)
	fs.SetOutput(errOut)
	term := addTerminalFlags(fs)
	keys := fs.String("keys", "", "trusted public keys (PEM); default the terminal's --trusted-keys")
	hw := fs.String("hardware-class", "", "hardware class to check; default the terminal's")
	current := fs.String("current", "", "running version to compare with; default the terminal's")
	floor := fs.String("floor", "", "version floor; default the terminal's")
	reinstall := fs.Bool("allow-reinstall", false, "accept a version not newer than the running one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(errOut, "usage: wenban firmware verify [--keys FILE] [--hardware-class C] [--current V] [--floor V] BUNDLE")
		return errUsage
	}

	policy, trusted, err := verifyPolicy(*term, *keys, *hw, *current, *floor)
	if err != nil {
		return err
	}
	policy.AllowReinstall = *reinstall

	b, err := bundle.OpenFile(fs.Arg(0))
	if err != nil {
		return withUserMessage(err)
	}
	defer b.Close()
	if err := bundle.Verify(b, trusted, policy); err != nil {
		return withUserMessage(err)
	}

	m := b.Manifest()
	var names []string
	for _, p := range m.Parts {
		names = append(names, fmt.Sprintf("%s（%d 字节）", p.Name, p.Size))
	}
	fmt.Fprintf(out, "更新包校验通过：版本 %s，机型 %s，签名密钥 %s，组成部分：%s。\n",
		m.Version, m.HardwareClass, b.Signature().KeyID, strings.Join(names, "、"))
	return nil
}

// verifyPolicy fills what the flags leave empty from the terminal.
func verifyPolicy(term terminalFlags, keys, hw, current, floor string) (bundle.Policy, []ed25519.PublicKey, error) {
	t := term.terminal()
	var policy bundle.Policy
	if hw == "" || current == "" {
		info, err := t.ReadInfo()
		if err != nil {
			return policy, nil, fmt.Errorf("%w (pass --hardware-class and --current off the terminal)", err)
		}
		policy = bundle.Policy{HardwareClass: info.HardwareClass, CurrentVersion: info.Version, FloorVersion: info.VersionFloor}
	}
	if hw != "" {
		policy.HardwareClass = hw
	}
	for flag, dst := range map[string]*semver.Version{current: &policy.CurrentVersion, floor: &policy.FloorVersion} {
		if flag == "" {
			continue
		}
		v, err := semver.Parse(flag)
		if err != nil {
			return policy, nil, fmt.Errorf("version %q: %w", flag, err)
		}
		*dst = v
	}

	if keys == "" {
		keys = t.KeysPath
	}
	trusted, err := bundle.ReadPublicKeysFile(keys)
	if err != nil {
		return policy, nil, err
	}
	return policy, trusted, nil
}
