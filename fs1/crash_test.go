package fs1

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/zodb"
)

// The crash test kills a committing child process with SIGKILL, at random
// times and at chosen points of a commit, then checks what Python's
// FileStorage promises: the file opens, every transaction whose Finish
// returned is there, and a torn tail is cut off as Python cuts it.

// crashPartial is the crash point "part of the transaction written": the
// child writes a prefix of it itself and dies before the real write.
const crashPartial = writeStep(100)

const (
	crashPool    = 8   // oids 0..7 are updated; each transaction also creates one
	crashMaxTxns = 100 // a child commits at most this many, then waits to be killed
)

// crashData is what the child stores for oid in its transaction seq of
// run: the parent recomputes it to check.
func crashData(run string, seq int, oid zodb.Oid) []byte {
	prefix := fmt.Sprintf("%s/%d/%d/", run, seq, oid)
	return []byte(prefix + strings.Repeat("x", (seq*7+int(oid)*13)%300))
}

// crashPoolOids returns the pool oids transaction seq updates.
func crashPoolOids(seq int) []zodb.Oid {
	n := 1 + seq%3
	oids := make([]zodb.Oid, n)
	for i := range oids {
		oids[i] = zodb.Oid((seq + i*3) % crashPool)
	}
	return oids
}

// childCommit commits transactions to FS1_PATH and reports each one whose
// Finish returned as "seq tid oid,oid,...", until it is killed. With
// FS1_CRASH_STEP set it kills itself at that step of transaction
// FS1_CRASH_SEQ.
func childCommit() int {
	path := os.Getenv("FS1_PATH")
	run := os.Getenv("FS1_RUN")
	mode, _ := strconv.Atoi(os.Getenv("FS1_SYNC"))
	fs, err := OpenWith(ctx, path, &Options{Sync: SyncMode(mode), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	fmt.Println("ready")
	seq := 0
	if s := os.Getenv("FS1_CRASH_STEP"); s != "" {
		step, _ := strconv.Atoi(s)
		crashSeq, _ := strconv.Atoi(os.Getenv("FS1_CRASH_SEQ"))
		cut, _ := strconv.Atoi(os.Getenv("FS1_CRASH_CUT"))
		writeHook = func(s writeStep, pos int64, b []byte) {
			switch {
			case seq != crashSeq:
			case writeStep(step) == crashPartial && s == stepVoteWrite:
				f, _ := os.OpenFile(path, os.O_WRONLY, 0)
				f.WriteAt(b[:1+cut%(len(b)-1)], pos)
				die()
			case writeStep(step) == s:
				die()
			}
		}
	}
	for ; seq < crashMaxTxns; seq++ {
		tid, oids, err := commitCrashTxn(fs, run, seq)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		fmt.Printf("%d %s %s\n", seq, tid, fmtOids(oids))
	}
	fmt.Println("done")
	io.Copy(io.Discard, os.Stdin) // wait to be killed
	return 0
}

func die() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func fmtOids(oids []zodb.Oid) string {
	s := make([]string, len(oids))
	for i, oid := range oids {
		s[i] = strconv.FormatUint(uint64(oid), 10)
	}
	return strings.Join(s, ",")
}

func commitCrashTxn(fs *FileStorage, run string, seq int) (zodb.Tid, []zodb.Oid, error) {
	txn, err := fs.Begin(ctx, zodb.TxnMeta{User: []byte(run), Description: []byte(strconv.Itoa(seq))})
	if err != nil {
		return 0, nil, err
	}
	defer txn.Abort()
	oids := crashPoolOids(seq)
	for _, oid := range oids {
		_, serial, err := fs.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: oid})
		if err != nil && !zodb.IsNoData(err) {
			return 0, nil, err
		}
		if err := txn.Store(ctx, oid, serial, crashData(run, seq, oid)); err != nil {
			return 0, nil, err
		}
	}
	oid, err := fs.NewOid(ctx)
	if err != nil {
		return 0, nil, err
	}
	oids = append(oids, oid)
	if err := txn.Store(ctx, oid, 0, crashData(run, seq, oid)); err != nil {
		return 0, nil, err
	}
	if err := txn.Vote(ctx); err != nil {
		return 0, nil, err
	}
	tid, err := txn.Finish(ctx)
	return tid, oids, err
}

// crashTxn is a transaction the child reported finished.
type crashTxn struct {
	run  string
	seq  int
	oids []zodb.Oid
}

// crashState is what the parent knows of the file.
type crashState struct {
	path     string
	reported map[zodb.Tid]crashTxn
	known    int // transactions in the file at the last check
	sides    int // side files written so far
	points   map[string]int
}

// TestCrash kills committing child processes 120 times — at random times,
// and at each step of a commit — and checks the file after each kill.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 120 child processes")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	st := &crashState{path: filepath.Join(t.TempDir(), "data.fs"), reported: map[zodb.Tid]crashTxn{}, points: map[string]int{}}
	steps := []writeStep{crashPartial, stepVoteWrite, stepVoted, stepStatus, stepFinished}
	for i := range 120 {
		run := "r" + strconv.Itoa(i)
		env := []string{"FS1_PATH=" + st.path, "FS1_RUN=" + run, "FS1_SYNC=" + strconv.Itoa(i%3)}
		var delay time.Duration
		if i%2 == 1 {
			step := steps[(i/2)%len(steps)]
			cut := rnd.IntN(1 << 20)
			if rnd.IntN(3) == 0 {
				cut = rnd.IntN(TxnHeaderFixLen - 1) // cut inside the header
			}
			env = append(env, fmt.Sprintf("FS1_CRASH_STEP=%d", step),
				fmt.Sprintf("FS1_CRASH_SEQ=%d", rnd.IntN(4)), fmt.Sprintf("FS1_CRASH_CUT=%d", cut))
		} else {
			delay = time.Duration(rnd.IntN(20000)) * time.Microsecond
		}
		// Now and then kill the child while it opens the file, which
		// may be cutting the previous child's tail.
		early := i%10 == 0
		if early {
			delay = time.Duration(rnd.IntN(30000)) * time.Microsecond
		}
		st.crashOnce(t, run, env, delay, early)
	}
	t.Logf("tails after the kills: %v; %d transactions, %d reported", st.points, st.known, len(st.reported))
}

// crashOnce runs one child until it dies, then checks the file. Without a
// crash step, the child is killed after delay from when it is ready, or
// from its start when early.
func (st *crashState) crashOnce(t *testing.T, run string, env []string, delay time.Duration, early bool) {
	c := startChild(t, "commit", env...)
	kill := func() { c.cmd.Process.Kill() }
	var timer *time.Timer
	random := !slices.ContainsFunc(env, func(s string) bool { return strings.HasPrefix(s, "FS1_CRASH_STEP=") })
	if early {
		timer = time.AfterFunc(delay, kill)
	}
	for {
		line, err := c.out.ReadString('\n')
		if err != nil {
			break
		}
		switch line {
		case "ready\n":
			if random && !early {
				timer = time.AfterFunc(delay, kill)
			}
		case "done\n":
			kill()
		default:
			st.parseReport(t, run, line)
		}
	}
	err := c.cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("%s: child ended without being killed: %v", run, err)
	}
	st.check(t, run)
}

func (st *crashState) parseReport(t *testing.T, run, line string) {
	f := strings.Fields(line)
	if len(f) != 3 {
		t.Fatalf("%s: child said %q", run, line)
	}
	seq, _ := strconv.Atoi(f[0])
	tid, err := zodb.ParseTid(f[1])
	if err != nil {
		t.Fatal(err)
	}
	var oids []zodb.Oid
	for _, s := range strings.Split(f[2], ",") {
		n, _ := strconv.ParseUint(s, 10, 64)
		oids = append(oids, zodb.Oid(n))
	}
	st.reported[tid] = crashTxn{run: run, seq: seq, oids: oids}
}

// check opens the crashed file read-only, then for writing as the next
// child will, and checks every transaction in it.
func (st *crashState) check(t *testing.T, run string) {
	raw, err := os.ReadFile(st.path)
	if len(raw) == 0 && len(st.reported) == 0 {
		// The first child died before it created the file or wrote
		// its magic.
		st.points["before the magic"]++
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("FS1_CRASH_KEEP"); dir != "" {
		// Keep the crash images, to check them with Python by hand.
		os.WriteFile(filepath.Join(dir, run+".fs"), raw, 0o666)
	}
	ro, err := Open(ctx, st.path, &zodb.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("%s: read-only open after the kill: %v", run, err)
	}
	size, tail := ro.Size(), ro.Tail()
	ro.Close()
	st.points[tailKind(tail, raw, size)]++
	if tail == nil && size != int64(len(raw)) {
		t.Fatalf("%s: size %d of a file of %d bytes without a tail", run, size, len(raw))
	}
	if tail != nil && !IsTorn(tail.Err) && !errors.Is(tail.Err, ErrInProgress) {
		t.Fatalf("%s: tail %v: neither torn nor in progress", run, tail.Err)
	}

	fs, rec := openRW(t, st.path)
	defer fs.Close()
	if fs.Size() != size || int64(len(mustRead(t, st.path))) != size {
		t.Fatalf("%s: read-write open left %d bytes, want %d", run, len(mustRead(t, st.path)), size)
	}
	if tail != nil && int64(len(raw))-size >= TxnHeaderFixLen {
		side := mustRead(t, fmt.Sprintf("%s.tr%d", st.path, st.sides))
		if !bytes.Equal(side, raw[size:]) {
			t.Fatalf("%s: side file holds %d bytes, want the %d cut", run, len(side), len(raw)-int(size))
		}
		st.sides++
	} else if _, err := os.Stat(fmt.Sprintf("%s.tr%d", st.path, st.sides)); err == nil {
		t.Fatalf("%s: side file written for a cut header: %s", run, rec.text())
	}
	st.checkTxns(t, run, fs)
}

// tailKind names what the kill left at the end of the file.
func tailKind(tail *TornTail, raw []byte, size int64) string {
	switch {
	case tail == nil:
		return "none"
	case errors.Is(tail.Err, ErrInProgress):
		return "checkpoint"
	case int64(len(raw))-size < TxnHeaderFixLen:
		return "cut header"
	}
	return "cut transaction"
}

// checkTxns iterates the whole file: every reported transaction is there
// with its data, and the only one not reported is the last, of this run
// (its Finish went through but the child died before saying so).
func (st *crashState) checkTxns(t *testing.T, run string, fs *FileStorage) {
	txns := readAllTxns(t, fs)
	found := 0
	for i, x := range txns {
		if x.info.Status != zodb.TxnComplete {
			t.Fatalf("%s: transaction %s has status %q", run, x.info.Tid, x.info.Status)
		}
		r, ok := st.reported[x.info.Tid]
		if !ok {
			if i != len(txns)-1 || i < st.known || string(x.info.User) != run {
				t.Fatalf("%s: transaction %s (%q) was never reported", run, x.info.Tid, x.info.User)
			}
			seq, _ := strconv.Atoi(string(x.info.Description))
			r = crashTxn{run: run, seq: seq}
			for _, d := range x.recs {
				r.oids = append(r.oids, d.Oid)
			}
			st.reported[x.info.Tid] = r
			st.points["finished, not reported"]++
		}
		found++
		if len(x.recs) != len(r.oids) {
			t.Fatalf("%s: transaction %s has %d records, want %d", run, x.info.Tid, len(x.recs), len(r.oids))
		}
		for j, d := range x.recs {
			if d.Oid != r.oids[j] || !bytes.Equal(d.Data, crashData(r.run, r.seq, d.Oid)) {
				t.Fatalf("%s: transaction %s: record %d is %s %q", run, x.info.Tid, j, d.Oid, d.Data)
			}
		}
	}
	if found != len(st.reported) {
		t.Fatalf("%s: %d of %d reported transactions found", run, found, len(st.reported))
	}
	st.known = len(txns)
	// The index agrees: the records of the last transaction load.
	if n := len(txns); n > 0 {
		x := txns[n-1]
		for _, d := range x.recs {
			data, serial, err := fs.Load(ctx, zodb.Xid{At: x.info.Tid, Oid: d.Oid})
			if err != nil || serial != x.info.Tid || !bytes.Equal(data, d.Data) {
				t.Fatalf("%s: load %s@%s: %s %v", run, d.Oid, x.info.Tid, serial, err)
			}
		}
	}
}
