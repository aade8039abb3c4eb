#!/bin/bash
# Packs the cached root tree as another firmware version and signs it as
# an update bundle, for `make image-test` and for release builds from the
# same tree.
#
# Usage: mkbundle.sh OUT_DIR VERSION KEY BUNDLE [broken]
# OUT_DIR is the folder build.sh wrote. "broken" replaces /usr/bin/wenban
# in the packed image with a program that always fails, so that release
# never passes the health gate and the boot loader must fall back.
set -euo pipefail
out=$(cd "$1" && pwd) version=$2 key=$3 bundle=$4 broken=${5:-}
bin=$out/rootfs/usr/bin/wenban
info=$out/rootfs/usr/lib/wenban/firmware.json
hwclass=$(cat "$out/HARDWARE_CLASS")

# The tree is shared with later builds, so every change is undone on exit.
cp "$bin" "$out/wenban.saved"
cp "$info" "$out/firmware.json.saved"
restore() {
	cp "$out/wenban.saved" "$bin"
	cp "$out/firmware.json.saved" "$info"
	rm -f "$out/wenban.saved" "$out/firmware.json.saved"
}
trap restore EXIT

sed -i -E "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" "$info"
if [ "$broken" = broken ]; then
	printf '#!/bin/sh\necho "wenban: this test release is broken on purpose" >&2\nexit 1\n' >"$bin"
fi

"$(dirname "$0")/mkroot.sh" "$out/rootfs" "$out/rootfs-$version.erofs"
"$out/wenban.saved" firmware sign --key "$key" --version "$version" --hardware-class "$hwclass" \
	--rootfs "$out/rootfs-$version.erofs" --kernel "$out/vmlinuz" --initrd "$out/initrd.img" -o "$bundle"
rm -f "$out/rootfs-$version.erofs"
