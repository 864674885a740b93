package simple

import (
	"context"
	"fmt"

	_ "github.com/zodbneo/zodbneo/fs1"        // the FileStorage driver Import reads with
	_ "github.com/zodbneo/zodbneo/neo/client" // the neo:// driver Import writes with
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

// Import copies the database at src (a FileStorage path or any storage
// URL) into the cluster through a neo:// client, as `zodb convert SRC
// URL` does: tids, metadata and records kept. progress, when not nil, is
// told how far the copy has got (tools.ConvertOptions.Progress).
func (c *Cluster) Import(ctx context.Context, src string, progress func(done, total int64)) (tools.ConvertStats, error) {
	in, err := zodb.Open(ctx, src, &zodb.Options{ReadOnly: true})
	if err != nil {
		return tools.ConvertStats{}, fmt.Errorf("simple: import: %w", err)
	}
	defer in.Close()
	out, err := zodb.Open(ctx, c.URL(), nil)
	if err != nil {
		return tools.ConvertStats{}, fmt.Errorf("simple: import: %w", err)
	}
	defer out.Close()
	w, ok := out.(zodb.Writer)
	if !ok {
		return tools.ConvertStats{}, fmt.Errorf("simple: import: %s is not writable", c.URL())
	}
	st, err := tools.Convert(ctx, in, w, &tools.ConvertOptions{Progress: progress})
	if err != nil {
		return st, fmt.Errorf("simple: import %s: %w", src, err)
	}
	return st, nil
}
