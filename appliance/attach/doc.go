// Package attach stores the files of chat messages and call recordings:
// images with a server-made preview, other files, voice messages with a
// second rendition for Safari, and recorded calls.
//
// Every blob is a file under the data folder made of AES-256-GCM chunks
// sealed with the store's data keys, so nothing reaches the disk in
// plain form and a large file never sits in memory whole. The metadata,
// the original file name among it, is a sealed bbolt record; the blob
// files carry random names.
package attach
