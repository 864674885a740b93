package fs1

import (
	"context"

	"github.com/zodbneo/zodbneo/zodb"
)

// ListOids calls fn with every oid of the index in ascending order, until
// fn returns false: every object that has a record up to the storage's
// head as ListOids starts, deleted ones included. It reads the index only,
// not the data file.
//
// The oids are copied out of the index in one pass under the storage's
// read lock (8 bytes an object: 8 MB for a million), and fn is called
// without the lock held, so fn may take its time — a directory listing
// driven by its reader — and may call the storage.
//
// Errors: ctx's, checked every few thousand oids.
func (fs *FileStorage) ListOids(ctx context.Context, fn func(zodb.Oid) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, oid := range fs.oids() {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !fn(oid) {
			return nil
		}
	}
	return nil
}

// oids returns the oids of the index, in order.
func (fs *FileStorage) oids() []zodb.Oid {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	oids := make([]zodb.Oid, 0, fs.mu.index.Len())
	fs.mu.index.Each(func(oid zodb.Oid, _ int64) bool {
		oids = append(oids, oid)
		return true
	})
	return oids
}
