// Package policy is the policy and regulation library (政策法规库): laws,
// regulations and rules split into articles, stored with every version in
// bbolt, searched through an in-memory bleve index, and kept current by an
// update job that pulls a manifest of documents from a local folder or an
// HTTP(S) server on a cron schedule. A run that fails any check changes
// nothing, so citizens always search a complete library.
package policy
