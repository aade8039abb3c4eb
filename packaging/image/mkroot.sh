#!/bin/bash
# Packs a root tree into a read-only erofs root-slot image.
# Usage: mkroot.sh TREE OUT.erofs
# EROFS_COMPRESSION picks the compressor: lz4hc (default, smaller) or lz4
# (several times faster to pack, for test runs).
set -euo pipefail
tree=$1 out=$2
rm -f "$out"
# A fixed timestamp and UUID make the image depend only on the tree.
mkfs.erofs -z"${EROFS_COMPRESSION:-lz4hc}" -T0 -U 6f1c2d3e-0000-4000-8000-000000000001 "$out" "$tree" >/dev/null
