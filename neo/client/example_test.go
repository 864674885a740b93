package client_test

import (
	"context"
	"fmt"
	"log"

	_ "github.com/zodbneo/zodbneo/neo/client" // registers neo:// and neos://
	"github.com/zodbneo/zodbneo/zodb"
)

// Open a cluster by URL as any storage, load the root object and commit
// a change to it. (Not run: it needs a cluster.)
func Example() {
	ctx := context.Background()
	stor, err := zodb.Open(ctx, "neo://mycluster@127.0.0.1:2051?compress=zlib=6", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer stor.Close()
	data, serial, err := stor.Load(ctx, zodb.Xid{At: zodb.TidMax, Oid: 0})
	if err != nil {
		log.Fatal(err)
	}
	w := stor.(zodb.Writer)
	txn, err := w.Begin(ctx, zodb.TxnMeta{User: []byte("me"), Description: []byte("touch the root")})
	if err != nil {
		log.Fatal(err)
	}
	defer txn.Abort()
	if err := txn.Store(ctx, 0, serial, data); err != nil {
		log.Fatal(err)
	}
	if err := txn.Vote(ctx); err != nil { // a *zodb.ConflictError if someone was first
		log.Fatal(err)
	}
	tid, err := txn.Finish(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("committed", tid)
}
