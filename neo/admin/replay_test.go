package admin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/cluster"
	"github.com/zodbneo/zodbneo/neo/ctl"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// testdata/neo/ctl/admin-s1 holds both directions of the connection of
// NEO/py's admin to NEO/py's master in trace s1 (cluster "s1", admin on
// port 22110). The test plays the master's side to our admin: it must
// send what NEO/py's admin sent, byte for byte (its port aside), and then
// serve neoctl from what the master told (the node list below is what
// NEO/py's neolog printed of that trace).

func readStream(t *testing.T, name string) []proto.Packet {
	t.Helper()
	b, err := os.ReadFile("../../testdata/neo/ctl/admin-s1/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := proto.CheckHandshake(b[:len(proto.Handshake)]); err != nil {
		t.Fatal(err)
	}
	b = b[len(proto.Handshake):]
	var out []proto.Packet
	for len(b) > 0 {
		p, n, err := proto.ParsePacket(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
		b = b[n:]
	}
	return out
}

// playMaster answers each packet of the admin with the recorded master
// packets up to its answer, then the notifications that follow, until an
// answer to a request not received yet. port is the admin's. Then it
// answers AskLastTransaction, and leaves on a packet of code leaveOn.
func playMaster(ln net.Listener, wantReqs, master []proto.Packet, port uint16, leaveOn uint16) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write(proto.Handshake); err != nil {
		return err
	}
	rd := proto.NewReader(conn)
	if err := rd.ReadHandshake(); err != nil {
		return err
	}
	asked := map[uint32]bool{}
	next := 0
	for i := range wantReqs {
		p, err := rd.Next()
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		want := wantReqs[i].Raw
		if i == 0 { // our port instead of NEO/py's 22110
			want = bytes.Replace(want, []byte{0xcd, 0x56, 0x5e}, binary.BigEndian.AppendUint16([]byte{0xcd}, port), 1)
		}
		if !bytes.Equal(p.Raw, want) {
			return fmt.Errorf("request %d: got % x, want % x", i, p.Raw, want)
		}
		asked[p.MsgID] = true
		for ; next < len(master); next++ {
			m := master[next]
			if m.Code&0x8000 != 0 && !asked[m.MsgID] {
				break
			}
			if _, err := conn.Write(m.Raw); err != nil {
				return err
			}
		}
	}
	// Then the admin asks the last tid again for each `print summary`;
	// nothing was committed.
	for {
		p, err := rd.Next()
		if err != nil {
			return nil // the admin left
		}
		if p.Code == leaveOn {
			return nil // the master goes away without answering
		}
		if p.Code != proto.CodeAskLastTransaction {
			return fmt.Errorf("unexpected %s", p.Name())
		}
		ans := proto.AppendPacket(nil, p.MsgID, &proto.TidMsg{PacketCode: proto.CodeAnswerLastTransaction, Tid: 0})
		if _, err := conn.Write(ans); err != nil {
			return err
		}
	}
}

func TestAdminAgainstRecordedMaster(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := New(Config{Config: cluster.Config{Cluster: "s1", Masters: []string{ln.Addr().String()}, Bind: "127.0.0.1:0", Logger: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(a.Addr())
	p, _ := strconv.Atoi(port)
	errc := make(chan error, 1)
	reqs, master := readStream(t, "admin-to-master.bin"), readStream(t, "master-to-admin.bin")
	go func() { errc <- playMaster(ln, reqs, master, uint16(p), proto.CodeSetClusterState) }()
	stop := start(t, "admin", a)

	waitFor(t, a.Addr(), "# {}\nRUNNING; UP_TO_DATE=4; ltid=0000000000000000 (1900-01-01 00:00:00)\n", "print", "summary")
	for _, tc := range []struct{ args, want string }{
		{"print cluster", "RUNNING\n"},
		{"print primary", "M1\n"},
		{"print pt", "# ptid: 1, replicas: 0\nS1 R UUUU\n"},
		{"print node storage", "S1 | STORAGE | 127.0.0.1:22101 | RUNNING | 2026-11-24 18:55:36.327861\n"},
	} {
		if out := mustRun(t, a.Addr(), splitArgs(tc.args)...); out != tc.want {
			t.Errorf("%s: %q, want %q", tc.args, out, tc.want)
		}
	}
	// The master goes away while an order is forwarded: neoctl gets
	// PROTOCOL_ERROR, then NOT_READY until a master is back.
	_, err = run(t, a.Addr(), "set", "cluster", "STOPPING")
	var ae *ctl.AnswerError
	if !errors.As(err, &ae) || ae.Code != proto.ProtocolError || ae.Message != "connection to master lost" {
		t.Errorf("set cluster with the master gone: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("master side: %v", err)
	}
	waitNotReady(t, a.Addr())
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestAdminMasterLostDuringSummary: the master goes away while the admin
// asks it the last tid for `print summary`; neoctl gets the summary of a
// cluster without master.
func TestAdminMasterLostDuringSummary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := New(Config{Config: cluster.Config{Cluster: "s1", Masters: []string{ln.Addr().String()}, Bind: "127.0.0.1:0", Logger: quiet}})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(a.Addr())
	p, _ := strconv.Atoi(port)
	errc := make(chan error, 1)
	reqs, master := readStream(t, "admin-to-master.bin"), readStream(t, "master-to-admin.bin")
	go func() { errc <- playMaster(ln, reqs, master, uint16(p), proto.CodeAskLastTransaction) }()
	start(t, "admin", a)
	waitFor(t, a.Addr(), "RUNNING\n", "print", "cluster")
	if out := mustRun(t, a.Addr(), "print", "summary"); out != "# {\"problem\": [null]}\nNot connected to a primary master.\n" {
		t.Errorf("print summary: %q", out)
	}
	if err := <-errc; err != nil {
		t.Fatalf("master side: %v", err)
	}
}

func splitArgs(s string) []string { return bytes2strings(bytes.Fields([]byte(s))) }

func bytes2strings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = string(x)
	}
	return out
}

// waitNotReady waits until the admin answers NOT_READY, as it does once
// it noticed the master is gone.
func waitNotReady(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		_, err := run(t, addr, "print", "cluster")
		var nr *ctl.NotReadyError
		if errors.As(err, &nr) && nr.Message == notConnected {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the admin never noticed the master left")
}
