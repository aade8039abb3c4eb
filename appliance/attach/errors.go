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
	// ErrImageTooLarge means an image has more pixels than MaxImagePixels
	// or would take more than MaxDecodeBytes of memory to decode.
	ErrImageTooLarge = errors.New("image exceeds the pixel or decode memory limit")
	// ErrTooLong means a voice message plays longer than its limit.
	ErrTooLong = errors.New("voice message exceeds its duration limit")
	// ErrUploadInterrupted means the client stopped sending the body, or
	// sent it too slowly, before the upload was complete. After a timeout
	// the error also wraps os.ErrDeadlineExceeded.
	ErrUploadInterrupted = errors.New("upload body was interrupted")
	// ErrDiskFull means the blob folder's file system has less free space
	// than Options.MinFreeBytes plus the upload's limit at its start, or
	// less than Options.MinFreeBytes while it streams, or was full.
	ErrDiskFull = errors.New("not enough free disk space for attachments")
)
