//go:build !linux

package slot

import "os"

// NOTE: outside Linux the page cache is not dropped, so Apply's read-back
// may read cached pages instead of the device. The appliance runs Linux.
func dropCache(*os.File) error { return nil }
