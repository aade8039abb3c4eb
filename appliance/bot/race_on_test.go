//go:build race

package bot

// raceEnabled reports that the race detector is on, which slows the engine
// several times over, so timing checks do not apply.
const raceEnabled = true
