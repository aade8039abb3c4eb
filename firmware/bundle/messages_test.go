package bundle

import (
	"fmt"
	"testing"
)

func TestUserMessageCoversErrors(t *testing.T) {
	all := []error{
		ErrManifestTooLarge, ErrInvalidManifest, ErrUnsupportedFormat, ErrWrongProduct,
		ErrInvalidSignatureFile, ErrLayout, ErrUnsafePath, ErrNotRegularFile, ErrDuplicateEntry,
		ErrUnlistedEntry, ErrPartSize, ErrPartDigest, ErrMissingPart, ErrTruncated, ErrMalformed,
		ErrTrailingData, ErrChanged, ErrNoTrustedKeys, ErrUnknownKey, ErrBadSignature,
		ErrInvalidPolicy, ErrWrongHardware, ErrBelowFloor, ErrNotNewer, ErrUpgradePath,
		ErrNotVerified, ErrUnknownPart, ErrInvalidKey, ErrKeyPermissions,
	}
	seen := make(map[string]error)
	for _, err := range all {
		wrapped := fmt.Errorf("bundle /media/usb/update.tar: %w", err)
		got := UserMessage(wrapped)
		if got == "" {
			t.Errorf("UserMessage(%v): got empty, want a message", err)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("UserMessage(%v): same text as for %v", err, other)
		}
		seen[got] = err
	}

	if got := UserMessage(fmt.Errorf("disk full")); got != "" {
		t.Errorf("UserMessage(other error): got %q, want empty", got)
	}
}
