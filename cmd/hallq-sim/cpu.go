package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/{pid}/stat;
// it is 100 on every Linux architecture hallq runs on.
const clockTicks = 100

// procCPU is the CPU time (user + system) process pid has used so far, from
// /proc/{pid}/stat: process CPU, not wall time, so that other processes on
// the same cores do not count.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read CPU time of process %d: %w", pid, err)
	}
	return parseStat(string(b))
}

// parseStat reads utime + stime out of a /proc/{pid}/stat line. The command
// name in parentheses may hold spaces, so fields are counted after the last ')'.
func parseStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("bad /proc stat line %.40q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state); utime is field 14, stime 15
	if len(f) < 13 {
		return 0, fmt.Errorf("bad /proc stat line %.40q: %d fields", s, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || ut < 0 || st < 0 || ut > 1<<40 || st > 1<<40 {
		return 0, fmt.Errorf("bad /proc stat line %.40q: utime %q stime %q", s, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// cpuMeter measures one process's CPU time over an interval.
type cpuMeter struct {
	pid   int
	start time.Duration
	began time.Time
}

// startCPU starts measuring pid.
func startCPU(pid int) (*cpuMeter, error) {
	c, err := procCPU(pid)
	if err != nil {
		return nil, err
	}
	return &cpuMeter{pid: pid, start: c, began: time.Now()}, nil
}

// CPUUse is the CPU a process used for a number of requests.
type CPUUse struct {
	CPU      time.Duration // process CPU time (user + system)
	Wall     time.Duration
	Requests int64 // responses received in the interval
}

// stop ends the interval; requests is how many were answered in it.
func (m *cpuMeter) stop(requests int64) (CPUUse, error) {
	c, err := procCPU(m.pid)
	if err != nil {
		return CPUUse{}, err
	}
	return CPUUse{CPU: c - m.start, Wall: time.Since(m.began), Requests: requests}, nil
}

// PerRequest is core-milliseconds per request.
func (u CPUUse) PerRequest() float64 {
	if u.Requests == 0 {
		return 0
	}
	return float64(u.CPU) / float64(time.Millisecond) / float64(u.Requests)
}

// String prints the use as the report shows it.
func (u CPUUse) String() string {
	return fmt.Sprintf("%.3f core-ms per request (%d requests, %.2f core-s of process CPU in %.1f s wall, %.2f cores)",
		u.PerRequest(), u.Requests, u.CPU.Seconds(), u.Wall.Seconds(), u.CPU.Seconds()/u.Wall.Seconds())
}
