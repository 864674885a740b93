// Package pickledis prints pickles as `zodb dump --pretty=zpickledis`
// does: the symbolic disassembly of Python's pickletools.dis, byte for
// byte.
//
// zodbtools' zodbdump (zodbtools/zodbdump.py in Nexedi/zodbtools) prints,
// in zpickledis mode, a transaction's extension and every object record
// through zodbpickle.pickletools_3.dis, indented by two blanks:
//
//	extension
//	      0: \x80 PROTO      3
//	      2: }    EMPTY_DICT
//	      3: q    BINPUT     0
//	      5: (    MARK
//	      6: X        BINUNICODE 'x-generator'
//	     ...
//	     60: u        SETITEMS   (MARK at 5)
//	     61: .    STOP
//	  highest protocol among opcodes = 2
//	obj 0000000000000000 64 sha1:d4b0bf30c5132b1ec57da7fe61b080970eea3418
//	      0: \x80 PROTO      3
//	      2: c    GLOBAL     'persistent.mapping PersistentMapping'
//	     ...
//	     63: .    STOP
//	  highest protocol among opcodes = 2
//
// A record's data is two pickles back to back, the class and the state,
// disassembled with one memo and with positions counted from the record's
// first byte; bytes after them are shown as "+ extra data". An empty
// extension is printed as `extension ""`.
//
// Each line is the opcode's position ("%5d: "), the repr of its code, its
// name indented by MARK level, and the repr of its argument as Python 3.11
// writes it: str with its quote choice and escapes (non-ASCII characters
// that Unicode 14 deems printable kept as UTF-8), bytes as b'...', ints of
// any size, floats in shortest round-trip form. Dis emulates pickletools'
// stack and memo to check the pickle, and refuses what pickletools refuses
// with pickletools' own message (an *Error).
//
// Dis knows every opcode of pickle protocols 0 to 5. zodbpickle's
// pickletools stops at protocol 3, so zodbdump fails on a protocol 4 or 5
// pickle where Dis prints what Python 3.11's pickletools prints.
//
// References: Lib/pickletools.py of CPython 3.11,
// src/zodbpickle/pickletools_3.py of zopefoundation/zodbpickle,
// zodbtools/zodbdump.py of Nexedi/zodbtools.
package pickledis
