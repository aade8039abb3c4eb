// Package update installs signed update bundles on a Wenban terminal whose
// boot loader is systemd-boot with boot counting, and reports the state
// of its two root slots.
//
// The ESP holds one kernel and initrd per slot under wenban/A and
// wenban/B, a release.json naming the version in each slot, and one Boot
// Loader Specification entry per slot in loader/entries. Apply verifies
// the whole bundle first, removes the target slot's entry, writes and
// reads back the root image, copies the kernel and initrd, and writes the
// new entry last with three tries ("wenban-b+3.conf"). The boot loader
// spends the tries, systemd-bless-boot drops the counter once the health
// gate lets boot-complete.target start, and an entry whose tries ran out
// sorts last, so the previous slot boots again. Apply refuses to run from
// a boot that has not been blessed, so the last good slot is never
// overwritten.
//
// The boot loader's file names are the only boot state: Status derives
// "blessed" and "rolled back" from them and from the record of the last
// install, and nothing is written at boot.
package update
