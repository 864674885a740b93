package sqlite

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/neo/storage/backend"
	"github.com/zodbneo/zodbneo/zodb"
)

// crashEnv names the database the crash helper process writes.
const crashEnv = "NEO_SQLITE_CRASH_DB"

// TestCrashHelper is the process killed by TestCrash: it commits 10,
// unlocks 20 (no fsync), locks 30, votes 40, says so and waits.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrash")
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.SetNID(testNID)
	db.SetPartitionTable(fullPT(1, 2, 0, testNID), testNID)
	commitTxn(t, db, 10, 10, rec{oid: 0, data: []byte("committed")})
	commitTxn(t, db, 20, 20, rec{oid: 1, data: []byte("unlocked")})
	objs, oids := storeRecs(t, db, []rec{{oid: 2, data: []byte("locked")}})
	db.StoreTransaction(30, objs, &backend.Txn{Oids: oids})
	db.Commit()
	if err := db.LockTransaction(32, 30); err != nil {
		t.Fatal(err)
	}
	objs, oids = storeRecs(t, db, []rec{{oid: 3, data: []byte("voted")}})
	db.StoreTransaction(41, objs, &backend.Txn{Oids: oids})
	db.Commit()
	// Stored, not voted: must vanish.
	db.StoreData([20]byte{1}, 0, []byte("stored"), 4)
	fmt.Println("ready")
	// TestCrash kills us now; should it not, do not linger.
	time.Sleep(time.Minute)
	os.Exit(1)
}

// TestCrash kills a process writing the database (SIGKILL) and checks
// what survives: committed and unlocked transactions, the locked one
// (still to unlock), the voted one (to drop).
func TestCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.sqlite")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill()
	cmd.Wait()
	if line != "ready\n" {
		t.Fatalf("helper said %q (%v)", line, err)
	}

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for oid, want := range map[int]string{0: "committed", 1: "unlocked"} {
		o, err := db.Object(zodb.Oid(oid), proto.NoTid, proto.NoTid)
		if err != nil || string(o.Data) != want {
			t.Errorf("oid %d: %+v %v", oid, o, err)
		}
	}
	m, err := db.LockedTransactions()
	if err != nil || len(m) != 2 || m[30] != 32 || m[41] != proto.NoTid {
		t.Fatalf("unfinished after crash: %v %v", m, err)
	}
	if err := db.DropUnfinished(); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlockTransaction(32, 30); err != nil {
		t.Fatal(err)
	}
	if o, err := db.Object(2, proto.NoTid, proto.NoTid); err != nil || string(o.Data) != "locked" {
		t.Errorf("locked object: %+v %v", o, err)
	}
	if _, err := db.Object(3, proto.NoTid, proto.NoTid); err == nil {
		t.Errorf("voted object visible")
	}
	// The data of the voted record is gone, and that of the merely
	// stored one never was committed.
	if n := countRows(t, db, "data"); n != 3 {
		t.Errorf("data rows after recovery: %d, want 3", n)
	}
}

// TestWALSynced: a lock fsyncs the WAL SQLite writes (white box: the file
// it holds for that is the WAL, also after the WAL was emptied).
func TestWALSynced(t *testing.T) {
	db, path := newTestDB(t, 1, Options{})
	check := func() {
		t.Helper()
		db.mu.Lock()
		defer db.mu.Unlock()
		if db.mu.wal == nil {
			t.Fatal("no WAL synced")
		}
		a, err1 := db.mu.wal.Stat()
		b, err2 := os.Stat(path + "-wal")
		if err1 != nil || err2 != nil || !os.SameFile(a, b) {
			t.Fatalf("synced file is not the WAL: %v %v", err1, err2)
		}
	}
	commitTxn(t, db, 1, 1, rec{oid: 0, data: []byte("a")})
	check()
	db.mu.Lock()
	db.resetWALLocked()
	db.mu.Unlock()
	commitTxn(t, db, 2, 2, rec{oid: 0, data: []byte("b")})
	check()
}
