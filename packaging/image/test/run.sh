#!/bin/bash
# Boots the image built by build.sh under QEMU with OVMF and a software
# TPM (swtpm), and runs drive.py: provision, a good update that must be
# blessed, a broken update that must roll back on its own.
#
# Usage: packaging/image/test/run.sh OUT_DIR
# OUT_DIR is build.sh's output, built with TEST_CONSOLE=yes. The run uses
# TCG unless ACCEL=kvm is set. Everything it starts lives in
# OUT_DIR/test and ends with it; the guest has no network device.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:?usage: run.sh OUT_DIR}" && pwd)
run=$out/test
ovmf_code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
ovmf_vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

log() { printf '%s run.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for tool in qemu-system-x86_64 swtpm mkfs.ext4 python3; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing; see packaging/image/README.md" >&2; exit 1; }
done
[ -f "$ovmf_code" ] || { echo "run.sh: $ovmf_code is missing; install ovmf" >&2; exit 1; }

start=$(date +%s)
# REUSE_BUNDLES=yes keeps the bundles and USB disk of the previous run,
# which saves two mkfs.erofs runs while the test itself is being changed.
if [ "${REUSE_BUNDLES:-no}" = yes ] && [ -f "$run/usb.img" ]; then
	find "$run" -mindepth 1 -maxdepth 1 ! -name usb.img -exec rm -rf {} +
	mkdir -p "$run/tpm"
else
	rm -rf "$run"
	mkdir -p "$run/usb" "$run/tpm"
	make_usb=yes
fi

if [ "${make_usb:-no}" = yes ]; then
	log "signing the good update 1.1.0 (current key) and the broken update 1.2.0 (next key)"
	"$here/../mkbundle.sh" "$out" 1.1.0 "$out/keys/current.key" "$run/usb/good-1.1.0.tar"
	"$here/../mkbundle.sh" "$out" 1.2.0 "$out/keys/next.key" "$run/usb/broken-1.2.0.tar" broken

	log "making the USB disk"
	mkfs.ext4 -q -F -L WENBAN-USB -d "$run/usb" "$run/usb.img" 2G
	rm -rf "$run/usb"
fi

cp --sparse=always "$out/wenban-test.raw" "$run/disk.raw"
cp "$ovmf_vars" "$run/ovmf-vars.fd"

swtpm socket --tpm2 --tpmstate dir="$run/tpm" --ctrl type=unixio,path="$run/swtpm.sock" \
	--log file="$run/swtpm.log" --pid file="$run/swtpm.pid" &
swtpm_pid=$!

# KVM is used only when asked for (ACCEL=kvm): a nested /dev/kvm that
# opens can still fail inside OVMF with "KVM internal error".
accel=${ACCEL:-tcg}
log "starting QEMU ($accel)"

for _ in $(seq 50); do [ -S "$run/swtpm.sock" ] && break; sleep 0.1; done

qemu-system-x86_64 -machine q35,accel=$accel -cpu max -smp 2 -m 2048 \
	-drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code" \
	-drive if=pflash,format=raw,unit=1,file="$run/ovmf-vars.fd" \
	-drive file="$run/disk.raw",format=raw,if=virtio \
	-drive file="$run/usb.img",format=raw,if=virtio,readonly=on \
	-chardev socket,id=chrtpm,path="$run/swtpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-crb,tpmdev=tpm0 \
	-device i6300esb -action watchdog=reset \
	-serial unix:"$run/serial.sock",server=on,wait=off \
	-display none -monitor none -nic none &
qemu_pid=$!
cleanup() {
	kill "$qemu_pid" "$swtpm_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 100); do [ -S "$run/serial.sock" ] && break; sleep 0.1; done
status=0
python3 "$here/drive.py" "$run/serial.sock" "$run/serial.log" good-1.1.0.tar broken-1.2.0.tar || status=$?

elapsed=$(($(date +%s) - start))
if [ "$status" -eq 0 ]; then
	log "PASS in ${elapsed}s ($accel); serial log in $run/serial.log"
else
	log "FAIL after ${elapsed}s ($accel); serial log in $run/serial.log"
fi
exit "$status"
