package mount

import (
	"context"
	"io"

	"github.com/zodbneo/zodbneo/zodb"
)

// iterate is stor.Iterate(tidMin, tidMax) that ends with the transaction
// at tidMax without reading on. Iterate reads the next transaction header
// to see that it is past tidMax, and when tidMax is the head of a
// FileStorage whose file ends with a torn header, as Python's iterator it
// fails there: the mount must not fail to list what is committed.
func iterate(ctx context.Context, stor zodb.Storage, tidMin, tidMax zodb.Tid) zodb.Iterator {
	return &boundedIter{it: stor.Iterate(ctx, tidMin, tidMax), max: tidMax}
}

type boundedIter struct {
	it   zodb.Iterator
	max  zodb.Tid
	done bool
}

func (b *boundedIter) NextTxn(ctx context.Context) (*zodb.TxnInfo, zodb.DataIterator, error) {
	if b.done {
		return nil, nil, io.EOF
	}
	info, dit, err := b.it.NextTxn(ctx)
	if err == nil && info.Tid >= b.max {
		b.done = true
	}
	return info, dit, err
}
