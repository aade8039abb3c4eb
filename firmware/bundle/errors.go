package bundle

import "errors"

// Errors returned while reading a manifest or a bundle. Returned errors
// wrap one of them and name the offending value.
var (
	// ErrManifestTooLarge means manifest.json is over MaxManifestSize.
	ErrManifestTooLarge = errors.New("bundle: manifest too large")
	// ErrInvalidManifest means manifest.json is not valid JSON, has an
	// unknown, duplicate, missing or null field, or a field value out of range.
	ErrInvalidManifest = errors.New("bundle: invalid manifest")
	// ErrUnsupportedFormat means the manifest's format_version is not FormatVersion.
	ErrUnsupportedFormat = errors.New("bundle: unsupported manifest format version")
	// ErrWrongProduct means the manifest is for a product other than Product.
	ErrWrongProduct = errors.New("bundle: bundle is for another product")
	// ErrInvalidSignatureFile means manifest.sig is malformed.
	ErrInvalidSignatureFile = errors.New("bundle: invalid signature file")
	// ErrLayout means manifest.json and manifest.sig are not the first two entries.
	ErrLayout = errors.New("bundle: manifest.json and manifest.sig must be the first two entries")
	// ErrUnsafePath means an entry name is absolute, contains "..", or is
	// not a clean relative path.
	ErrUnsafePath = errors.New("bundle: unsafe entry path")
	// ErrNotRegularFile means an entry is a symlink, hard link, device,
	// FIFO, directory, sparse file or any other non-regular file.
	ErrNotRegularFile = errors.New("bundle: entry is not a regular file")
	// ErrDuplicateEntry means two entries have the same name.
	ErrDuplicateEntry = errors.New("bundle: duplicate entry")
	// ErrUnlistedEntry means an entry is not a part listed in the manifest.
	ErrUnlistedEntry = errors.New("bundle: entry not listed in manifest")
	// ErrPartSize means a part's size differs from the manifest.
	ErrPartSize = errors.New("bundle: part size differs from manifest")
	// ErrPartDigest means a part's SHA-256 digest differs from the manifest.
	ErrPartDigest = errors.New("bundle: part digest differs from manifest")
	// ErrMissingPart means a part listed in the manifest is not in the archive.
	ErrMissingPart = errors.New("bundle: part missing from archive")
	// ErrTruncated means the archive ends inside a header or entry, or
	// before the end-of-archive marker.
	ErrTruncated = errors.New("bundle: archive truncated")
	// ErrMalformed means a tar header is corrupt or the archive structure
	// is otherwise invalid.
	ErrMalformed = errors.New("bundle: malformed archive")
	// ErrTrailingData means bytes other than tar record padding follow the
	// end-of-archive marker.
	ErrTrailingData = errors.New("bundle: trailing data after end of archive")
	// ErrChanged means the bundle's manifest or signature changed between
	// Open and Verify, so the file was modified while in use.
	ErrChanged = errors.New("bundle: bundle changed while being read")
)

// Errors returned by Verify for a well-formed bundle that must not be installed.
var (
	// ErrNoTrustedKeys means Verify was given no public keys.
	ErrNoTrustedKeys = errors.New("bundle: no trusted keys")
	// ErrUnknownKey means the bundle is signed by a key that is not trusted.
	ErrUnknownKey = errors.New("bundle: signed by an unknown key")
	// ErrBadSignature means the signature does not match the manifest.
	ErrBadSignature = errors.New("bundle: signature does not match manifest")
	// ErrInvalidPolicy means the Policy passed to Verify is incomplete.
	ErrInvalidPolicy = errors.New("bundle: invalid verification policy")
	// ErrWrongHardware means the bundle is for another hardware class.
	ErrWrongHardware = errors.New("bundle: bundle is for another hardware class")
	// ErrBelowFloor means the bundle's version is below the policy's floor.
	ErrBelowFloor = errors.New("bundle: version below the minimum allowed version")
	// ErrNotNewer means the bundle's version is not newer than the current
	// version and the policy does not allow reinstalling.
	ErrNotNewer = errors.New("bundle: version not newer than the current version")
	// ErrUpgradePath means the current version is older than the bundle's
	// min_from_version.
	ErrUpgradePath = errors.New("bundle: current version too old to upgrade from")
	// ErrNotVerified means part contents were requested before Verify succeeded.
	ErrNotVerified = errors.New("bundle: bundle not verified")
	// ErrUnknownPart means a part name is not in the manifest.
	ErrUnknownPart = errors.New("bundle: no such part in manifest")
)

// Errors returned for key material.
var (
	// ErrInvalidKey means a key file is not a single PEM-encoded Ed25519 key.
	ErrInvalidKey = errors.New("bundle: invalid key")
	// ErrKeyPermissions means a private key file is readable or writable
	// by group or others.
	ErrKeyPermissions = errors.New("bundle: private key file permissions too open")
)
