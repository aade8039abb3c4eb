#!/bin/bash
# Builds the FAT image of the EFI system partition: systemd-boot from the
# tree's systemd-boot-efi package, loader.conf, and slot A's kernel, initrd
# and blessed boot entry written by `wenban update seed`.
# Usage: mkesp.sh TREE WENBAN_BIN KERNEL INITRD VERSION OUT.img
set -euo pipefail
tree=$1 bin=$2 kernel=$3 initrd=$4 version=$5 out=$6
here=$(cd "$(dirname "$0")" && pwd)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

install -D -m 0644 "$tree/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$dir/EFI/BOOT/BOOTX64.EFI"
install -D -m 0644 "$here/loader.conf" "$dir/loader/loader.conf"
"$bin" update seed --esp "$dir" --slot A --version "$version" --kernel "$kernel" --initrd "$initrd"

rm -f "$out"
mkfs.vfat -C -F 32 -n WENBAN-ESP "$out" $((256 * 1024)) >/dev/null
mcopy -s -i "$out" "$dir"/* ::/
