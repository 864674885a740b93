package client_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run when goroutines of the client (or of the nodes
// the tests start) are left behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leftGoroutines(); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

func leftGoroutines() string {
	var s string
	for range 100 {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		s = ""
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "zodbneo/neo/") && !strings.Contains(g, "leftGoroutines") {
				s += g + "\n\n"
			}
		}
		if s == "" {
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}
