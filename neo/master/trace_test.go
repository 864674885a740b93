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

// replay plays a peer's recorded side of a connection against m: it
// sends the peer's packets, each answer after the request it answers, and
// checks that m sends the recorded packets with the same msg ids, byte
// for byte but the times and the master's own address. It stops after
// the last master packet of wantUpTo (all when 0); the peer's packets
// left are then sent. The connection is returned open.
func replay(t *testing.T, m *Master, peerFile, masterFile string, wantUpTo int) net.Conn {
	t.Helper()
	_, fromPeer := tracePackets(t, peerFile)
	_, fromMaster := tracePackets(t, masterFile)
	if wantUpTo > 0 {
		fromMaster = fromMaster[:wantUpTo]
	}
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(waitLimit))
	conn.Write(append(append([]byte(nil), proto.Handshake...), fromPeer[0].Raw...))
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
		// The peer's packets up to the answer to this request.
		if got.Code&0x8000 == 0 && got.Code != proto.CodeStartOperation {
			for next < len(fromPeer) {
				p := fromPeer[next]
				if p.Code&0x8000 != 0 && !(p.Code == got.Code|0x8000 && p.MsgID == got.MsgID) {
					break // the answer to a later request
				}
				conn.Write(p.Raw)
				next++
				if p.Code&0x8000 != 0 {
					break
				}
			}
		}
		// A client's requests follow the master's answers.
		if got.Code&0x8000 != 0 || got.Code == proto.CodeStartOperation || got.Code == proto.CodeSendPartitionTable {
			for next < len(fromPeer) && fromPeer[next].Code&0x8000 == 0 {
				if got.Code == proto.CodeSendPartitionTable && peerIsStorage(fromPeer) {
					break
				}
				conn.Write(fromPeer[next].Raw)
				next++
			}
		}
	}
	for ; next < len(fromPeer); next++ {
		conn.Write(fromPeer[next].Raw)
	}
	return conn
}

func peerIsStorage(l []proto.Packet) bool {
	m, err := l[0].Decode()
	return err == nil && m.(*proto.RequestIdentification).NodeType == proto.Storage
}

func startTraceMaster(t *testing.T, cfg Config) *Master {
	t.Helper()
	cfg.Bind, cfg.Logger = "127.0.0.1:0", testLogger()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		m.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return m
}

// TestTraceS1 replays NEO/py's storage side of s1-bootstrap: a new
// cluster made with -A 1 -p 4.
func TestTraceS1(t *testing.T) {
	cfg := Config{Autostart: 1, Partitions: 4}
	cfg.Cluster = "s1"
	m := startTraceMaster(t, cfg)
	replay(t, m, "../../testdata/neo/master/s1/conn03.storage1-to-master.bin", "../../testdata/neo/master/s1/conn03.master-to-storage1.bin", 0)
}

// TestTraceS6 replays s6-stop's restart over an existing database: a
// client refused while recovering, the storage giving its table and last
// ids, the cluster starting by itself, the client accepted.
func TestTraceS6(t *testing.T) {
	cfg := Config{Partitions: 4}
	cfg.Cluster = "s6"
	m := startTraceMaster(t, cfg)
	const dir = "../../testdata/neo/master/s6/"
	replay(t, m, dir+"conn15.client-C1-to-master.bin", dir+"conn15.master-to-client-C1.bin", 0)
	// Up to StartOperation: then the trace has the client's commits.
	replay(t, m, dir+"conn18.storage1-to-master.bin", dir+"conn18.master-to-storage1.bin", 11)
	replay(t, m, dir+"conn19.client-C1-to-master.bin", dir+"conn19.master-to-client-C1.bin", 0)
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
