package attach

import "errors"

// Errors of the attachment store. The web layer maps them to Chinese
// messages.
var (
	// ErrNotFound means no attachment or rendition has the given id.
	ErrNotFound = errors.New("attachment not found")
	// ErrTooLarge means the upload passed its size limit; nothing of it
	// is kept.
	ErrTooLarge = errors.New("attachment exceeds its size limit")
	// ErrTypeNotAllowed means the content, as sniffed from its first
	// bytes, is not on the allowed list for its kind.
	ErrTypeNotAllowed = errors.New("attachment content type is not allowed")
	// ErrEmpty means the upload carried no bytes.
	ErrEmpty = errors.New("attachment is empty")
	// ErrInvalidMedia means an image or a voice message could not be
	// decoded, or breaks a limit of its kind (dimensions, duration).
	ErrInvalidMedia = errors.New("attachment media is invalid")
	// ErrCorruptBlob means a blob file is truncated, tampered with or was
	// sealed for another blob.
	ErrCorruptBlob = errors.New("attachment blob is corrupt")
	// ErrDiskFull means the blob folder's file system has less free space
	// than Options.MinFreeBytes plus the upload's limit.
	ErrDiskFull = errors.New("not enough free disk space for attachments")
)
