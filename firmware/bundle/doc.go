// Package bundle reads, writes, signs and verifies Wenban update bundles.
//
// A bundle is an uncompressed tar archive whose first entry is
// manifest.json, whose second entry is manifest.sig and whose remaining
// entries are the parts the manifest lists, each exactly once. The
// manifest names the product, version and hardware class and gives the
// size and SHA-256 digest of every part. manifest.sig carries an Ed25519
// signature over the exact manifest bytes, so one signature covers every
// part through its digest.
//
// Reading is strict and makes one forward pass: every decision is taken
// from a tar header before its data is read, parts are hashed as they
// stream past, and memory use does not grow with part size. Verify checks
// the signature against trusted public keys, checks the version policy and
// then hashes every part. Only a bundle that passed Verify hands out part
// contents.
//
// docs/firmware-bundle.md describes the format and trust model in
// Simplified Chinese.
package bundle
