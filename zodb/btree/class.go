package btree

import "strings"

// Kinds of BTrees classes, as IsBTreeClass names them: the base names of
// BTrees' _base.py.
const (
	KindBTree   = "BTree"   // a mapping tree: OOBTree, IOBTree, ...
	KindBucket  = "Bucket"  // a mapping leaf: OOBucket, ...
	KindTreeSet = "TreeSet" // a set tree: OOTreeSet, ...
	KindSet     = "Set"     // a set leaf: OOSet, ...
)

// families are the key and value types of the BTrees modules: BTrees.OOBTree
// and so on (BTrees/__init__.py).
var families = map[string]bool{
	"IO": true, "II": true, "IF": true, "IU": true,
	"UO": true, "UU": true, "UF": true, "UI": true,
	"LO": true, "LL": true, "LF": true, "LQ": true,
	"QO": true, "QQ": true, "QF": true, "QL": true,
	"OO": true, "OI": true, "OU": true, "OL": true, "OQ": true,
	"fs": true,
}

// IsBTreeClass reports whether module.name is a tree, bucket, tree set or
// set class of the BTrees package, and which (KindBTree, KindBucket,
// KindTreeSet or KindSet). Pickles name them as the C types do,
// "BTrees.OOBTree OOBucket"; the module's aliases (BTrees.OOBTree.Bucket),
// the pure-Python names (OOBucketPy) and the C modules of old BTrees
// (BTrees._OOBTree) load as the same classes and are accepted too.
func IsBTreeClass(module, name string) (kind string, ok bool) {
	fam, ok := strings.CutPrefix(module, "BTrees.")
	if !ok {
		return "", false
	}
	fam = strings.TrimPrefix(fam, "_")
	fam, ok = strings.CutSuffix(fam, "BTree")
	if !ok || !families[fam] {
		return "", false
	}
	name = strings.TrimSuffix(name, "Py")
	name = strings.TrimPrefix(name, fam)
	switch name {
	case KindBTree, KindBucket, KindTreeSet, KindSet:
		return name, true
	}
	return "", false
}
