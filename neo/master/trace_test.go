package master

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/zodbneo/zodbneo/neo/proto"
)

// tracePackets reads a recorded connection direction.
func tracePackets(t *testing.T, path string) (handshake []byte, packets []proto.Packet) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := proto.NewReader(bytes.NewReader(b))
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p.Raw = append([]byte(nil), p.Raw...)
		p.Args = append([]byte(nil), p.Args...)
		packets = append(packets, p)
	}
	return b[:len(proto.Handshake)], packets
}

// TestTraceS1 replays what NEO/py's storage sent to NEO/py's master in
// s1-bootstrap, answering our master's requests as it answered NEO/py's,
// and checks that our master sends the same packets with the same msg ids,
// byte for byte except the times and the master's own address.
func TestTraceS1(t *testing.T) {
	_, fromStorage := tracePackets(t, "../../testdata/neo/master/s1/conn03.storage1-to-master.bin")
	_, fromMaster := tracePackets(t, "../../testdata/neo/master/s1/conn03.master-to-storage1.bin")

	cfg := Config{Autostart: 1, Partitions: 4}
	cfg.Cluster, cfg.Bind, cfg.Logger = "s1", "127.0.0.1:0", testLogger()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		m.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(waitLimit))
	// The storage's handshake and identification.
	conn.Write(append(append([]byte(nil), proto.Handshake...), fromStorage[0].Raw...))
	next := 1
	r := proto.NewReader(conn)
	if err := r.ReadHandshake(); err != nil {
		t.Fatal(err)
	}
	for i, want := range fromMaster {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("packet %d (%s): %v", i, want.Name(), err)
		}
		if got.MsgID != want.MsgID || got.Code != want.Code {
			t.Fatalf("packet %d: got #%d %s, want #%d %s", i, got.MsgID, got.Name(), want.MsgID, want.Name())
		}
		if !bytes.Equal(got.Raw, want.Raw) {
			if got.Code != proto.CodeNotifyNodeInformation {
				t.Fatalf("packet %d %s:\n got % x\nwant % x", i, got.Name(), got.Raw, want.Raw)
			}
			compareNodeInformation(t, m, got, want)
		}
		// The storage's packets up to the answer to this request, or all
		// after StartOperation (its NotifyReady).
		if got.Code&0x8000 == 0 {
			for next < len(fromStorage) {
				p := fromStorage[next]
				if got.Code != proto.CodeStartOperation && p.Code == got.Code|0x8000 && p.MsgID == got.MsgID {
					conn.Write(p.Raw)
					next++
					break
				}
				if got.Code != proto.CodeStartOperation && p.Code&0x8000 != 0 {
					break // the answer to a later request
				}
				conn.Write(p.Raw)
				next++
			}
		}
	}
	if next != len(fromStorage) {
		t.Fatalf("%d storage packets not sent", len(fromStorage)-next)
	}
}

// compareNodeInformation compares node lists but the times and the
// master's address, which differ between runs.
func compareNodeInformation(t *testing.T, m *Master, got, want proto.Packet) {
	t.Helper()
	g, err1 := got.Decode()
	w, err2 := want.Decode()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	gn, wn := g.(*proto.NotifyNodeInformation).Nodes, w.(*proto.NotifyNodeInformation).Nodes
	norm := func(l []proto.NodeInfo) []proto.NodeInfo {
		out := make([]proto.NodeInfo, len(l))
		for i, n := range l {
			n.IDTimestamp = map[bool]float64{true: 0, false: 1}[proto.IsNoTime(n.IDTimestamp)]
			if n.Type == proto.Master {
				n.Addr = nil
			}
			out[i] = n
		}
		return out
	}
	if !reflect.DeepEqual(norm(gn), norm(wn)) {
		t.Fatalf("%s:\n got %+v\nwant %+v", got.Name(), gn, wn)
	}
}
