package clustertest

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain checks that the tests leave no goroutine behind: every node,
// link and client they started must be gone once they return. Started as
// a child node by a crash test, the binary runs that node instead.
func TestMain(m *testing.M) {
	runChildNode()
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if err := checkGoroutines(before); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// checkGoroutines waits for the goroutines ending on their own (closed
// sockets wake their readers asynchronously), then reports those left.
func checkGoroutines(before int) error {
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if !strings.Contains(g, "checkGoroutines") {
				left = append(left, g)
			}
		}
		return fmt.Errorf("clustertest: %d goroutines left behind (%d before the tests):\n%s",
			n, before, strings.Join(left, "\n\n"))
	}
	return nil
}
