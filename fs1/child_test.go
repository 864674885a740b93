package fs1

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"testing"
)

// Tests that need another process — a second writer, a writer killed in
// the middle of a commit — run the test binary again with FS1_CHILD set
// to a role: TestHelperProcess then plays it and exits.

// TestHelperProcess is not a test: it is the body of the child processes
// other tests start.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv("FS1_CHILD")
	if role == "" {
		t.Skip("only run as a child process")
	}
	code := 0
	switch role {
	case "lock":
		code = childLock()
	case "commit":
		code = childCommit()
	default:
		code = 2
	}
	os.Exit(code)
}

// child is a running child process: its stdin and stdout are pipes.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startChild runs the test binary as a child playing role, with env
// added to its environment.
func startChild(t *testing.T, role string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "FS1_CHILD="+role), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
}
