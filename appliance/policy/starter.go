package policy

import "embed"

// starterFiles is the starter library: outlines of the main national and
// Hunan natural-resources laws and rules, written for this project in its
// own words, with a manifest in the format of any other source.
//
//go:embed starter
var starterFiles embed.FS
