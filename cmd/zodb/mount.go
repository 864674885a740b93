package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/zodbneo/zodbneo/cmd/internal/cli"
	"github.com/zodbneo/zodbneo/mount"
	"github.com/zodbneo/zodbneo/zodb"
)

type mountOptions struct {
	allowOther bool
	debug      bool
}

func newMountCommand() *cobra.Command {
	var o mountOptions
	cmd := &cobra.Command{
		Use:   "mount [--allow-other] [--debug] URL DIR",
		Short: "mount a ZODB database's history as a read-only filesystem",
		Long: `Mount a ZODB database, and its whole history, as a read-only FUSE
filesystem on the directory DIR, and serve it until interrupted (Ctrl-C,
SIGTERM) or unmounted (fusermount3 -u DIR).

URL is the storage's URL (see 'zodb help zurl'). In DIR:

    head/               the newest state; it follows new commits
    head/at             the tid of the state head/ shows
    @<tid>/             the state as of transaction <tid>; also @<tid prefix>,
                        @<date> ("@2024-01-02 10:00", "@yesterday"), links
                        to the @<tid> they stand for
    <state>/root/...    the object graph from the root object: mappings,
                        BTrees, lists and instances as directories, values
                        as files
    <state>/oid/<oid>/  one object: data (the raw record), class, state
                        (readable), serial, history, refs/ (links)
    txn/<tid>/          one transaction: status, user, description,
                        extension, objects/ (links to what it wrote)

Files under @<tid>/ and txn/ never change. On interrupt the filesystem is
unmounted; while a program still uses it, unmounting fails and a second
interrupt detaches it lazily.`,
		Example: `  mkdir /tmp/db && zodb mount data.fs /tmp/db &
  cat /tmp/db/head/at
  ls /tmp/db/head/root/
  cat /tmp/db/head/oid/0000000000000000/state
  diff -r --no-dereference /tmp/db/@03f59461af847300 /tmp/db/@03f59461d75f7dee
  fusermount3 -u /tmp/db`,
		Args: cli.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMount(cmd, &o, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.allowOther, "allow-other", false, "let other users see the files (needs user_allow_other in /etc/fuse.conf unless root)")
	f.BoolVar(&o.debug, "debug", false, "log every FUSE request to stderr")
	return cmd
}

func runMount(cmd *cobra.Command, o *mountOptions, url, dir string) error {
	// Interrupts are ours from now on: they unmount.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stor, err := zodb.Open(ctx, url, &zodb.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer stor.Close()
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	opt := &mount.Options{AllowOther: o.allowOther, Debug: o.debug, Logger: logger}
	fsys, err := mount.New(ctx, stor, opt)
	if err != nil {
		return err
	}
	srv, err := mount.Mount(fsys, dir, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s: serving %s on %s (head %s); interrupt or fusermount3 -u to unmount\n",
		cmd.Root().Name(), url, dir, stor.Head())
	warnTail(cmd, stor)
	return serveMount(ctx, cmd, srv)
}

// serveMount waits for the filesystem to be unmounted by someone else or
// for an interrupt, which unmounts it; a second interrupt while it is busy
// detaches it.
func serveMount(ctx context.Context, cmd *cobra.Command, srv *mount.Server) error {
	done := make(chan struct{})
	go func() {
		srv.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	err := srv.Unmount()
	if err == nil {
		<-done
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v; interrupt again to detach it lazily\n", cmd.Root().Name(), err)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	select {
	case <-done:
		return nil
	case <-sigs:
	}
	if err := srv.Detach(); err != nil {
		return err
	}
	<-done
	return nil
}
