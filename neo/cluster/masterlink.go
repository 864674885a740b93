package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
)

// NotPrimaryError is a secondary master's answer to an identification:
// NotPrimaryMaster, then the connection closed.
type NotPrimaryError struct {
	Master  string // the master dialed
	Primary string // the primary it named, host:port; "" when none
}

func (e *NotPrimaryError) Error() string {
	if e.Primary == "" {
		return fmt.Sprintf("master %s is not the primary and knows none", e.Master)
	}
	return fmt.Sprintf("master %s is not the primary, %s is", e.Master, e.Primary)
}

const (
	// masterDialTimeout bounds one attempt to reach and identify to a
	// master.
	masterDialTimeout = 10 * time.Second
	// notPrimaryWait bounds the wait for a NotPrimaryMaster once the
	// master closed during identification: the notification may still be
	// on its way to the handler.
	notPrimaryWait = 100 * time.Millisecond
)

// masterGate is the handler of a master link being identified: it holds
// the master's packets until the node has recorded the link, and catches
// NotPrimaryMaster.
type masterGate struct {
	h          link.Handler
	ready      chan struct{}
	notPrimary chan string
	once       sync.Once
}

func (g *masterGate) Serve(l *link.Link, req link.Request) {
	if np, ok := req.Msg.(*proto.NotPrimaryMaster); ok {
		primary := ""
		if np.Primary >= 0 && int(np.Primary) < len(np.Masters) {
			if a := np.Masters[np.Primary]; a != nil && a.Host != "" && a.Port != 0 {
				primary = net.JoinHostPort(a.Host, strconv.Itoa(int(a.Port)))
			}
		}
		g.once.Do(func() { g.notPrimary <- primary })
		l.Close()
		return
	}
	select {
	case <-g.ready:
	default:
		// Not open yet: wait, unless the link goes down first. (Once
		// open, packets received before the link went down are served.)
		select {
		case <-g.ready:
		case <-l.Done():
			return
		}
	}
	g.h.Serve(l, req)
}

// DialMaster connects to the master at addr and identifies with req, as
// storages, admins and clients do. The master's packets go to h, in
// arrival order, from the moment the caller calls open: the node records
// the link first, as packets come right after AcceptIdentification. A
// secondary master gives a *NotPrimaryError; a refusal, the master's
// *link.ErrorAnswer.
func DialMaster(ctx context.Context, addr string, tlsCfg *tls.Config, req *proto.RequestIdentification, h link.Handler) (l *link.Link, acc *proto.AcceptIdentification, open func(), err error) {
	g := &masterGate{h: h, ready: make(chan struct{}), notPrimary: make(chan string, 1)}
	ctx, cancel := context.WithTimeout(ctx, masterDialTimeout)
	defer cancel()
	l, err = link.Dial(ctx, "tcp", addr, link.Options{Handler: g, Ordered: true, TLS: tlsCfg})
	if err != nil {
		return nil, nil, nil, err
	}
	acc, err = l.Identify(ctx, req)
	if err != nil {
		l.Close()
		// The gate closes the link on NotPrimaryMaster, or the master does.
		if errors.Is(err, link.ErrPeerClosed) || errors.Is(err, link.ErrClosed) {
			select {
			case p := <-g.notPrimary:
				return nil, nil, nil, &NotPrimaryError{Master: addr, Primary: p}
			case <-time.After(notPrimaryWait):
			}
		}
		return nil, nil, nil, err
	}
	if acc.NodeType != proto.Master || acc.YourNID == proto.NoNID {
		l.Close()
		return nil, nil, nil, fmt.Errorf("master %s: identification answered by %v with NID %v", addr, acc.NodeType, acc.YourNID)
	}
	return l, acc, func() { close(g.ready) }, nil
}
