package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/tools"
	"github.com/zodbneo/zodbneo/zodb"
)

type benchOptions struct {
	benches  []string
	jobs     int
	commit   bool
	size     int
	txns     int
	json     bool
	jsonFile string
	gobench  bool
	generate int
	seed     uint64
}

func newBenchCommand() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench [options] URL | --generate N FILE",
		Short: "measure how fast a ZODB storage loads, iterates and commits",
		Long: `Measure how fast a ZODB storage loads, iterates and commits.

URL is the storage's URL (see 'zodb help zurl'): a FileStorage path,
neo://cluster@master, ... Every storage is measured the same way. The
sub-benchmarks (--bench, comma-separated; all but commit by default):

    load             load every current object once, cold (a fresh
                     storage, the neo client cache off), then warm (the
                     second load through one storage): latency
                     mean/p50/p90/p99/max
    zhash            load every current object and hash its data (sha1,
                     in oid order): objects/s, MB/s and the hash, to
                     compare runs and storages
    load-concurrent  load every current object once from -j goroutines
                     (neo client cache off): throughput
    iterate          read every transaction and record: records/s, MB/s
    commit           commit --txns transactions of 1, 10 and 100 new
                     objects of --size bytes: latency and throughput.
                     It writes to the database, so it runs only when
                     asked for with --commit, on a writable storage.

The output is a table; --json prints the results for programs and
--gobench as Go benchmark lines, so that benchstat compares two runs.

With --generate N, bench writes instead a synthetic FileStorage of N
leaf objects to FILE (plus their BTree nodes and the root, about 2.5%
more), the same bytes for the same N and --seed: a root mapping holding
an OOBTree and an IOBTree of PersistentMappings with payloads from a few
bytes to tens of KB, all loadable by Python's ZODB. See BENCHMARKS.md
for the reference workload.`,
		Example: `  zodb bench --generate 100000 bench.fs
  zodb bench bench.fs
  zodb bench --json 'neo://simple@127.0.0.1:2051' >neo.json
  zodb bench --bench load,zhash -j 16 --gobench bench.fs >new.txt; benchstat old.txt new.txt
  zodb bench --bench commit --commit --size 1024 scratch.fs`,
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("generate") {
				return runGenerate(cmd, &o, args[0])
			}
			return runBench(cmd, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.benches, "bench", nil, "sub-benchmarks to run, comma-separated (default load,zhash,load-concurrent,iterate)")
	f.IntVarP(&o.jobs, "jobs", "j", 8, "goroutines of load-concurrent")
	f.BoolVar(&o.commit, "commit", false, "allow the commit benchmark, which writes to the database")
	f.IntVar(&o.size, "size", 128, "bytes of each object the commit benchmark stores")
	f.IntVar(&o.txns, "txns", 50, "transactions the commit benchmark commits per transaction size")
	f.BoolVar(&o.json, "json", false, "print the results as JSON")
	f.StringVar(&o.jsonFile, "json-file", "", "also write the results as JSON to `FILE` (e.g. for scripts/benchchart)")
	f.BoolVar(&o.gobench, "gobench", false, "print the results as Go benchmark lines (for benchstat)")
	f.IntVar(&o.generate, "generate", 0, "write a synthetic FileStorage of `N` leaf objects to FILE instead")
	f.Uint64Var(&o.seed, "seed", 1, "seed of --generate")
	return cmd
}

func runBench(cmd *cobra.Command, o *benchOptions, url string) error {
	if o.json && o.gobench {
		return cli.Usagef("--json and --gobench exclude each other")
	}
	benches := o.benches
	if o.commit && len(benches) == 0 {
		benches = append(append([]string{}, tools.DefaultBenches...), tools.BenchCommit)
	}
	rep, err := tools.Bench(cmd.Context(), url, &tools.BenchOptions{Benches: benches, Jobs: o.jobs,
		Commit: o.commit, Size: o.size, CommitTxns: o.txns})
	if err != nil {
		return err
	}
	if o.jsonFile != "" {
		if err := writeBenchJSON(o.jsonFile, rep); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	switch {
	case o.json:
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	case o.gobench:
		return tools.WriteBenchGo(out, rep)
	}
	return tools.WriteBenchTable(out, rep)
}

func runGenerate(cmd *cobra.Command, o *benchOptions, path string) (err error) {
	if o.generate < 0 {
		return cli.Usagef("invalid --generate %s: a count of objects is needed", strconv.Itoa(o.generate))
	}
	st, err := zodb.Open(cmd.Context(), path, nil)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	w, ok := st.(zodb.Writer)
	if !ok {
		return fmt.Errorf("%s: %w", path, zodb.ErrReadOnly)
	}
	stats, err := tools.Generate(cmd.Context(), w, o.generate, &tools.GenerateOptions{Seed: o.seed})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: %d objects (%d leaves), %d transactions, %.1f MB of data\n",
		path, stats.Objects, o.generate, stats.Txns, float64(stats.Bytes)/1e6)
	return err
}

func writeBenchJSON(path string, rep *tools.BenchReport) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
