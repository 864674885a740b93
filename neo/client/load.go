package client

import (
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"

	"github.com/zodbneo/zodbneo/neo/link"
	"github.com/zodbneo/zodbneo/neo/proto"
	"github.com/zodbneo/zodbneo/zodb"
)

// Load returns the revision of xid.Oid current at xid.At (at most the
// head the client knows, as NEO/py does), from the cache or from a
// readable cell of the oid's partition.
//
// Errors, wrapped in *zodb.OpError: *zodb.NoObjectError when the object
// has no revision up to xid.At (NEO's OID_DOES_NOT_EXIST and
// OID_NOT_FOUND), *zodb.NoDataError when that revision is a deletion, an
// error wrapping zodb.ErrCorrupt when the data do not match their
// checksum or do not decompress.
func (c *Client) Load(ctx context.Context, xid zodb.Xid) ([]byte, zodb.Tid, error) {
	data, serial, ok, at := c.cache.load(xid.Oid, xid.At)
	if ok {
		if data == nil {
			return nil, 0, c.opError("load", xid, &zodb.NoDataError{Oid: xid.Oid, DeletedAt: serial})
		}
		return data, serial, nil
	}
	obj, err := c.loadObject(ctx, xid.Oid, proto.NoTid, at+1)
	if err != nil {
		return nil, 0, c.opError("load", xid, err)
	}
	c.cache.store(xid.Oid, obj.serial, obj.next, obj.data, at)
	if obj.data == nil {
		return nil, 0, c.opError("load", xid, &zodb.NoDataError{Oid: xid.Oid, DeletedAt: obj.serial})
	}
	return obj.data, obj.serial, nil
}

// object is a revision as a storage answered it, checked and
// decompressed.
type object struct {
	serial, next zodb.Tid // next: proto.NoTid when current
	data         []byte   // nil for a deletion
	dataSerial   zodb.Tid // proto.NoTid unless the record points back
}

// loadObject asks a storage for oid at serial `at` or before `before`
// (one of them proto.NoTid).
func (c *Client) loadObject(ctx context.Context, oid zodb.Oid, at, before zodb.Tid) (object, error) {
	v, err := c.ready(ctx)
	if err != nil {
		return object{}, err
	}
	m, err := c.askRead(ctx, oidPartition(v, oid), &proto.AskObject{Oid: oid, At: at, Before: before})
	if err != nil {
		if ea, ok := err.(*link.ErrorAnswer); ok && (ea.Code == proto.OidDoesNotExist || ea.Code == proto.OidNotFound) {
			return object{}, &zodb.NoObjectError{Oid: oid}
		}
		return object{}, err
	}
	ans, ok := m.(*proto.AnswerObject)
	if !ok || ans.Oid != oid {
		return object{}, fmt.Errorf("neo: AskObject %s answered with %v", oid, m)
	}
	obj := object{serial: ans.Serial, next: ans.NextSerial, dataSerial: ans.DataSerial}
	if len(ans.Data) == 0 && isZeroHash(ans.Checksum) {
		return obj, nil // deletion, or creation undone
	}
	obj.data, err = unpack(ans.Compression, ans.Checksum, ans.Data)
	if err != nil {
		return object{}, fmt.Errorf("neo: %s@%s: %w", oid, ans.Serial, err)
	}
	return obj, nil
}

func zodbSum(b []byte) []byte {
	s := sha1.Sum(b)
	return s[:]
}

func isZeroHash(h []byte) bool {
	for _, b := range h {
		if b != 0 {
			return false
		}
	}
	return len(h) == sha1.Size
}

// unpack checks data against its SHA-1 and decompresses it. The result
// may alias data.
func unpack(compression int64, checksum, data []byte) ([]byte, error) {
	sum := sha1.Sum(data)
	if !bytes.Equal(sum[:], checksum) {
		return nil, fmt.Errorf("%w: wrong checksum", zodb.ErrCorrupt)
	}
	switch compression {
	case 0:
		return data, nil
	case 1:
		return inflate(data)
	}
	return nil, fmt.Errorf("%w: unknown compression %d", zodb.ErrCorrupt, compression)
}

var zreaders sync.Pool // of zlib readers (io.ReadCloser + zlib.Resetter)

// inflate decompresses zlib data.
func inflate(data []byte) ([]byte, error) {
	br := bytes.NewReader(data)
	var zr io.ReadCloser
	if x := zreaders.Get(); x != nil {
		zr = x.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(br, nil); err != nil {
			return nil, fmt.Errorf("%w: zlib: %w", zodb.ErrCorrupt, err)
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(br); err != nil {
			return nil, fmt.Errorf("%w: zlib: %w", zodb.ErrCorrupt, err)
		}
	}
	out := bytes.NewBuffer(make([]byte, 0, 4*len(data)+64))
	_, err := out.ReadFrom(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %w", zodb.ErrCorrupt, err)
	}
	zreaders.Put(zr)
	return out.Bytes(), nil
}

// zwriters pools zlib writers by level: a writer's state is hundreds of
// KiB, too much to allocate per record.
var zwriters sync.Map // level -> *sync.Pool of *zlib.Writer

// compress returns data zlib-compressed at level when that is smaller
// (NEO/py's rule), with the compression flag to send.
func compress(data []byte, level int) (int64, []byte) {
	if level < 0 || len(data) == 0 {
		return 0, data
	}
	if level == 0 {
		level = zlib.DefaultCompression
	}
	pool, _ := zwriters.LoadOrStore(level, &sync.Pool{})
	var buf bytes.Buffer
	buf.Grow(len(data))
	w, _ := pool.(*sync.Pool).Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(&buf, level); err != nil {
			return 0, data
		}
	} else {
		w.Reset(&buf)
	}
	w.Write(data)
	w.Close()
	pool.(*sync.Pool).Put(w)
	if buf.Len() < len(data) {
		return 1, buf.Bytes()
	}
	return 0, data
}
