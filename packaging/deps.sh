#!/usr/bin/env bash
# Installs the Debian packages a make target needs, so that `make run` and
# `make test` work on a fresh Debian 12 machine. Usage: deps.sh GROUP...
# where GROUP is build, test or image. Packages already installed are left
# alone; missing ones come from apt-get, through sudo when not root.
set -euo pipefail

declare -A groups=(
	# cgo toolchain and the static libvpx and libopus archives the kiosk's
	# encoders link (docs/third-party.md).
	[build]="gcc libc6-dev pkg-config libvpx-dev libopus-dev"
	# headless browser for page-flow tests, PulseAudio for the microphone
	# driver's test server.
	[test]="chromium pulseaudio ca-certificates"
	# the appliance image and its QEMU test (packaging/image/README.md).
	[image]="mmdebstrap systemd-container erofs-utils dosfstools mtools e2fsprogs fdisk qemu-system-x86 ovmf swtpm swtpm-tools python3"
)

missing=()
for group in "$@"; do
	if [[ -z "${groups[$group]+set}" ]]; then
		echo "deps.sh: unknown group '$group'; use build, test or image" >&2
		exit 2
	fi
	for pkg in ${groups[$group]}; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
			missing+=("$pkg")
		fi
	done
done

if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps.sh: packages are missing and sudo is not installed; run as root, or install them: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
