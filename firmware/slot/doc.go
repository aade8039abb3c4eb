// Package slot installs update bundles into the A/B root slots of a Wenban
// terminal and keeps the boot state that decides which slot starts.
//
// One slot is active and the other is spare. Apply writes a verified
// bundle's rootfs part into the spare slot, reads it back, and only then
// marks that slot pending with BootTries boot attempts and makes it
// active. Each boot calls BootAttempt, which spends one attempt of a
// pending slot or, when none are left, marks it bad and falls back to the
// other slot. Once the new system is healthy it calls Bless, which marks
// the pending slot good. Apply refuses to run while the active slot is
// pending, so the last good slot is never overwritten before its
// successor has proven itself.
//
// The state lives in one JSON file that is replaced atomically (write,
// fsync, rename, fsync of the directory). docs/firmware-bundle.md
// describes the state machine in Simplified Chinese.
package slot
