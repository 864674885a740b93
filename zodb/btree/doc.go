// Package btree decodes the states of the BTrees package's persistent
// classes — trees (OOBTree, IOBTree, LLBTree, ...), their buckets, and the
// set variants (OOTreeSet, OOSet, ...) — as zpickle.Decode returns them.
//
// A bucket is a leaf: sorted keys, their values (none for a set), and a
// reference to the next bucket. Its state is
//
//	((k0, v0, k1, v1, ...),)          the last bucket
//	((k0, v0, k1, v1, ...), next)     any other
//	((k0, k1, ...),) / (..., next)    a set bucket
//
// A tree's state is one of
//
//	None                              an empty tree
//	((bucket_state,),)                a tree of one bucket, kept inline:
//	                                  ((((k0, v0, ...),),),)
//	((child0, key1, child1, ..., keyN, childN), firstbucket)
//
// where the children are references to buckets or to trees one level
// down, child i holds the keys k with key_i <= k < key_i+1, and firstbucket
// is the leftmost bucket, where the chain of next references starts. See
// BTreeTemplate.c (BTree_getstate, _BTree_setstate) and BucketTemplate.c
// (bucket_getstate) in zopefoundation/BTrees, and _base.py for the Python
// version of the same.
package btree
