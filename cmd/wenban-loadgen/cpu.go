package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times: 100 on the x86-64
// and arm64 Linux kernels the hub runs on.
const clockTicks = 100

// cpuSample is a process's and the machine's CPU time at one moment.
type cpuSample struct {
	at          time.Time
	processTick uint64
	busyTick    uint64
	totalTick   uint64
}

func sampleCPU(pid int) (cpuSample, error) {
	s := cpuSample{at: time.Now()}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("reading process CPU time: %w", err)
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of proc(5), so 12 and 13 here.
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseUint(fields[11], 10, 64)
	stime, _ := strconv.ParseUint(fields[12], 10, 64)
	s.processTick = utime + stime

	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, fmt.Errorf("reading machine CPU time: %w", err)
	}
	line := strings.Fields(strings.SplitN(string(stat), "\n", 2)[0])
	for i, f := range line[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		s.totalTick += v
		// idle and iowait are fields 4 and 5 of the cpu line.
		if i != 3 && i != 4 {
			s.busyTick += v
		}
	}

	return s, nil
}

// usage returns the process's CPU use as a percentage of the whole
// machine (every core) and the machine's busy percentage between a and b.
func usage(a, b cpuSample, cores int) (process, machine float64) {
	wall := b.at.Sub(a.at).Seconds()
	process = float64(b.processTick-a.processTick) / clockTicks / wall / float64(cores) * 100
	if total := b.totalTick - a.totalTick; total > 0 {
		machine = float64(b.busyTick-a.busyTick) / float64(total) * 100
	}

	return process, machine
}
