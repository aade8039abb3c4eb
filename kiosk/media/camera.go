package media

// The V4L2 driver's init globs /dev/v4l/by-id, /dev/v4l/by-path and
// /dev/video*, opens each device briefly to read its name, and registers
// the cameras it finds. That happens in every process that links this
// package, the hub included, which finds no devices there.
import "github.com/pion/mediadevices/pkg/driver/camera"

// RediscoverCameras replaces the registered V4L2 cameras with the devices
// present now, so a camera plugged in after start-up can be opened. It
// also removes every other registered video driver, such as mediadevices'
// videotest driver.
func RediscoverCameras() { camera.Initialize() }
