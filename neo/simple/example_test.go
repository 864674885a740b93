package simple_test

import (
	"context"
	"fmt"
	"log"

	_ "github.com/zodbneo/zodbneo/neo/client" // the neo:// driver
	"github.com/zodbneo/zodbneo/neo/simple"
	"github.com/zodbneo/zodbneo/zodb"
)

// A cluster for a test: start it, open it by URL with any zodb tool or
// driver, close it.
func ExampleStart() {
	ctx := context.Background()
	c, err := simple.Start(ctx, simple.Options{Storages: 2, Replicas: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	st, err := zodb.Open(ctx, c.URL(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	head, err := st.Sync(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("empty:", head == 0)
	// Output: empty: true
}
