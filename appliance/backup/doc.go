// Package backup writes and restores encrypted snapshots of a hub's data
// folder: a consistent copy of the bbolt database, every other file in the
// folder (the master key, blobs and attachments), and a manifest with the
// SHA-256 of each file.
//
// A backup file starts with a plaintext header naming the format, the
// Argon2id parameters and salt, and a random content key wrapped with
// AES-256-GCM under the key derived from the recovery key. The tar payload
// follows in AES-256-GCM chunks of at most 64 KiB. Each chunk's nonce holds
// its index and a final-chunk flag and each chunk authenticates the header,
// so a reordered, truncated or spliced file fails to open. Restore reads
// the whole file and checks every digest before it writes anything.
package backup
