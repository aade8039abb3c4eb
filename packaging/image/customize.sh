#!/bin/bash
# Installs wenban and the image's own files into a root tree made by
# mmdebstrap. It runs on every build and is idempotent, so a cached tree
# can take a new binary without a new mmdebstrap run.
#
# Usage: customize.sh TREE WENBAN_BIN TRUSTED_KEYS VERSION HARDWARE_CLASS FLOOR KIOSK
# TEST_CONSOLE=yes adds a root autologin on the serial console; only
# `make image-test` sets it, because its driver types on that console.
set -euo pipefail

tree=$1 bin=$2 keys=$3 version=$4 hwclass=$5 floor=$6 kiosk=$7
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

install -D -m 0755 "$bin" "$tree/usr/bin/wenban"
install -D -m 0644 "$keys" "$tree/usr/lib/wenban/firmware-keys.pem"
cp -a "$here/rootfs/." "$tree/"
install -m 0644 "$repo/packaging/wenban.service" "$tree/etc/systemd/system/wenban.service"
mkdir -p "$tree/efi" "$tree/var/lib/wenban-data"
# The seat and kiosk browsers trust the hub's certificate through the
# CACertificates policy that `wenban provision --hub-cert` writes on the
# data partition, since /etc is read-only. Chromium skips the link while
# its target is missing, as on a hub or a plain-HTTP terminal.
ln -sfn /var/lib/wenban-data/provision/chromium-policy.json \
	"$tree/etc/chromium/policies/managed/wenban-hub-certificate.json"

# The kiosk process units belong to packaging/kiosk; the image installs
# whatever that folder ships and falls back to its own unit otherwise.
if compgen -G "$repo/packaging/kiosk/*.service" >/dev/null; then
	install -m 0644 "$repo"/packaging/kiosk/*.service "$tree/etc/systemd/system/"
fi
if [ -f "$repo/packaging/kiosk/70-wenban-kiosk.rules" ]; then
	install -D -m 0644 "$repo/packaging/kiosk/70-wenban-kiosk.rules" "$tree/etc/udev/rules.d/70-wenban-kiosk.rules"
fi
if [ -f "$repo/packaging/kiosk/uinput.conf" ]; then
	install -D -m 0644 "$repo/packaging/kiosk/uinput.conf" "$tree/etc/modules-load.d/uinput.conf"
fi

cat >"$tree/usr/lib/wenban/firmware.json" <<EOF
{"version": "$version", "hardware_class": "$hwclass", "version_floor": "$floor", "kiosk": $([ "$kiosk" = yes ] && echo true || echo false)}
EOF

printf 'wenban\n' >"$tree/etc/hostname"
printf '127.0.1.1 wenban\n127.0.0.1 localhost\n' >"$tree/etc/hosts"
# An empty machine-id on a read-only /etc makes systemd use a transient one.
: >"$tree/etc/machine-id"
rm -f "$tree/var/lib/dbus/machine-id"

chroot "$tree" sh -e -c '
	getent passwd wenban >/dev/null || useradd --system --home-dir /var/lib/wenban-data/hub --no-create-home --shell /usr/sbin/nologin wenban
	getent passwd kiosk >/dev/null || useradd --system --create-home --home-dir /home/kiosk --shell /usr/sbin/nologin --groups video,render,audio,input kiosk
	passwd --lock root >/dev/null
'

units=(wenban-data.service wenban.service wenban-health-gate.service
	wenban-network.service systemd-networkd.service systemd-timesyncd.service)
if [ "$kiosk" = yes ]; then
	units+=(wenban-seat-browser.service)
	for unit in wenban-kiosk.service wenban-kiosk-browser.service; do
		[ -f "$tree/etc/systemd/system/$unit" ] && units+=("$unit")
	done
fi
systemctl --root="$tree" enable "${units[@]}" >/dev/null 2>&1
systemctl --root="$tree" mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true

if [ "${TEST_CONSOLE:-no}" = yes ]; then
	mkdir -p "$tree/etc/systemd/system/serial-getty@ttyS0.service.d"
	cat >"$tree/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 - $TERM
EOF
else
	rm -rf "$tree/etc/systemd/system/serial-getty@ttyS0.service.d"
fi
