#!/bin/bash
# Builds the Wenban appliance disk image from Debian bookworm packages:
# mmdebstrap makes the root tree, mkfs.erofs packs it into a read-only
# root-slot image, and systemd-repart lays out the GPT disk (ESP, root-A
# holding the image, empty root-B). The data partition is not in the image:
# the terminal creates and encrypts it at first boot.
#
# Usage: packaging/image/build.sh OUT_DIR
# Environment (all optional):
#   WENBAN_BIN        the wenban binary to install (default bin/wenban)
#   IMAGE_VERSION     firmware version written into the image (default 1.0.0)
#   HARDWARE_CLASS    hardware class baked into the image (default qemu-x86-64)
#   VERSION_FLOOR     lowest version the image accepts (default 1.0.0)
#   TRUSTED_KEYS      PEM file with the one or two public keys that updates
#                     must be signed with; without it a development key pair
#                     is generated in OUT_DIR/keys
#   KIOSK             "yes" installs cage, chromium and fonts (default yes)
#   MIRROR            Debian mirror (default: the first deb.debian.org URI of
#                     this machine's apt sources)
#   ROOT_SLOT_SIZE    size of each root slot (default 1536M)
#   IMAGE_SIZE        size of the disk image; the space after root-B becomes
#                     the data partition at first boot (default 4G, sparse)
#   BASE_ONLY         "yes" stops after the cached mmdebstrap tree
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:?usage: build.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

bin=${WENBAN_BIN:-$repo/bin/wenban}
version=${IMAGE_VERSION:-1.0.0}
hwclass=${HARDWARE_CLASS:-qemu-x86-64}
floor=${VERSION_FLOOR:-1.0.0}
kiosk=${KIOSK:-yes}
slot_size=${ROOT_SLOT_SIZE:-1536M}
mirror=${MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	grep -oE '^(URIs:|deb) +https?://[^ ]*debian/?( |$)' | awk '{print $2; exit}' || true)}
mirror=${mirror:-http://deb.debian.org/debian}

log() { printf '%s build.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in mmdebstrap mkfs.erofs mkfs.vfat mcopy systemd-repart; do
	command -v "$tool" >/dev/null || {
		echo "build.sh: $tool is missing; see packaging/image/README.md for the packages" >&2
		exit 1
	}
done

packages=(
	systemd systemd-sysv udev dbus kmod
	linux-image-amd64 initramfs-tools
	# systemd-boot brings systemd-bless-boot and its generator (Debian ships
	# them there, not in systemd); the boot loader binary is systemd-boot-efi.
	systemd-boot systemd-boot-efi
	systemd-timesyncd iproute2
	cryptsetup-bin e2fsprogs dosfstools fdisk
	libtss2-esys-3.0.2-0 libtss2-rc0 libtss2-mu0 libtss2-tcti-device0
	ca-certificates
)
if [ "$kiosk" = yes ]; then
	# pulseaudio runs wenban-kiosk-audio.service from packaging/kiosk.
	packages+=(cage chromium fonts-wqy-microhei pulseaudio)
fi

work=$out/work
rm -rf "$work"
mkdir -p "$work"

# The base tree depends only on the package list, the mirror and the
# mmdebstrap hooks, so it is cached in OUT_DIR/rootfs. Change base_format
# when the hooks change. The wenban binary and the image's own files are
# copied in on every run.
base_format=1
stamp=$(printf '%s\n' "$base_format" "$mirror" "${packages[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$out/rootfs.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$out/rootfs" "$out/rootfs.stamp"
	log "mmdebstrap from $mirror with ${#packages[@]} packages (kiosk=$kiosk)"
	mmdebstrap --variant=minbase --mode=root \
		--include="$(IFS=,; echo "${packages[*]}")" \
		--aptopt='Apt::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/zh_CN/*' \
		--essential-hook='mkdir -p "$1/etc/initramfs-tools"; printf "erofs\n" >>"$1/etc/initramfs-tools/modules"' \
		--customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
		bookworm "$out/rootfs" "$mirror" >"$out/mmdebstrap.log" 2>&1 ||
		{ tail -30 "$out/mmdebstrap.log" >&2; exit 1; }
	echo "$stamp" >"$out/rootfs.stamp"
else
	log "reusing the cached base tree in $out/rootfs"
fi

[ "${BASE_ONLY:-no}" = yes ] && exit 0
[ -x "$bin" ] || { echo "build.sh: wenban binary $bin is missing; run make build" >&2; exit 1; }

# Development keys let `make image-test` sign bundles. A release build
# passes TRUSTED_KEYS and keeps the private keys on the offline signing host.
keys=${TRUSTED_KEYS:-}
if [ -z "$keys" ]; then
	mkdir -p "$out/keys"
	for name in current next; do
		[ -f "$out/keys/$name.key" ] ||
			"$bin" firmware keygen --key "$out/keys/$name.key" --public "$out/keys/$name.pub"
	done
	cat "$out/keys/current.pub" "$out/keys/next.pub" >"$out/keys/trusted.pem"
	keys=$out/keys/trusted.pem
fi

log "installing wenban $version ($hwclass, floor $floor) into the tree"
"$here/customize.sh" "$out/rootfs" "$bin" "$keys" "$version" "$hwclass" "$floor" "$kiosk"

kernel=$(ls "$out"/rootfs/boot/vmlinuz-* | sort -V | tail -1)
initrd=$(ls "$out"/rootfs/boot/initrd.img-* | sort -V | tail -1)
cp "$kernel" "$out/vmlinuz"
cp "$initrd" "$out/initrd.img"

log "packing root slot image"
"$here/mkroot.sh" "$out/rootfs" "$out/rootfs-$version.erofs"

log "assembling ESP"
"$here/mkesp.sh" "$out/rootfs" "$bin" "$out/vmlinuz" "$out/initrd.img" "$version" "$work/esp.img"

log "laying out the disk with systemd-repart"
mkdir -p "$work/repart.d"
for f in "$here"/repart.d/*.conf.in; do
	sed -e "s|@ESP@|$work/esp.img|" -e "s|@ROOT@|$out/rootfs-$version.erofs|" -e "s|@SLOT_SIZE@|$slot_size|" \
		"$f" >"$work/repart.d/$(basename "${f%.in}")"
done
# The test variant gets its own name so that it is never flashed by mistake.
disk=$out/wenban.raw
[ "${TEST_CONSOLE:-no}" = yes ] && disk=$out/wenban-test.raw
rm -f "$disk"
systemd-repart --empty=create --size="${IMAGE_SIZE:-4G}" --dry-run=no --no-pager \
	--definitions="$work/repart.d" "$disk" >/dev/null

printf '%s\n' "$version" >"$out/VERSION"
printf '%s\n' "$hwclass" >"$out/HARDWARE_CLASS"
# The root tree stays in OUT_DIR/rootfs so that test bundles can be
# packed from it without another mmdebstrap run.
rm -rf "$work"
log "done: $disk ($(du -h --apparent-size "$disk" | cut -f1) apparent, $(du -h "$disk" | cut -f1) allocated)"
