package mount

import (
	"context"

	"github.com/zodbneo/zodbneo/zodb/zpickle"
)

// TEMPORARY until objgraph builds.
func (s *snapshot) root(ctx context.Context) (vnode, error) { return nil, errNotFound }

func (s *snapshot) stateText(ctx context.Context, rev *objRev) ([]byte, error) {
	_, st, err := zpickle.Decode(rev.data)
	if err != nil {
		return nil, err
	}
	return []byte(zpickle.Repr(st) + "\n"), nil
}
