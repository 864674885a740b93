package mount

import "syscall"

type syscallStat = syscall.Stat_t
