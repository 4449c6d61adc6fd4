package loadgen

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// raiseFileLimit raises the soft RLIMIT_NOFILE to want, raising the hard
// limit too when the process may (root with CAP_SYS_RESOURCE, up to
// fs.nr_open). It returns the soft limit in force afterwards; the caller
// sizes its sockets to it.
func raiseFileLimit(want uint64) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1024
	}
	if lim.Cur >= want {
		return lim.Cur
	}
	if lim.Max < want {
		max := want
		if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
			if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n < max {
				max = n
			}
		}
		raised := syscall.Rlimit{Cur: max, Max: max}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			return max
		}
	}
	lim.Cur = min(want, lim.Max)
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	return lim.Cur
}

// processFileLimit returns the soft RLIMIT_NOFILE of another process, from
// /proc/<pid>/limits, or 0 when unknown.
func processFileLimit(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(line)
			if len(f) >= 4 {
				n, _ := strconv.ParseUint(f[3], 10, 64)
				return n
			}
		}
	}
	return 0
}
