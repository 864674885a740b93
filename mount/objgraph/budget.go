package objgraph

import "unicode/utf8"

// Bounds on the text made for the names and leaves of a directory. A
// pickle of a few bytes can share one value many times over through its
// memo: a list of a thousand references to one call whose argument is a
// tuple of 2^30 items. Each leaf's text is bounded, and so is the sum of
// the texts of one directory (one record: a mapping, or one bucket of a
// tree), so that listing it costs at most so much whatever the record.
const (
	dirTextBudget = 8 << 20  // bytes of text one directory's names and leaves may take
	nameReprMax   = 1 << 10  // bytes of the repr of a key that names it; longer is cut
	leafReprMax   = 64 << 10 // bytes of the repr of a leaf that is no scalar; longer is cut
)

// budget is what a directory has left to spend on text.
type budget struct{ left int }

func newBudget() *budget { return &budget{left: dirTextBudget} }

// oneLine returns the one-line text of v (zpickle.Repr's form), cut with
// "..." after limit bytes or when the budget is spent. A nil budget is one
// of a few times limit.
func oneLine(v any, limit int, bud *budget) string {
	if bud == nil {
		bud = &budget{left: 4 * limit}
	}
	if bud.left <= 0 {
		return "..."
	}
	w := &textWriter{max: bud.left, active: map[any]bool{}, bud: bud}
	fits := w.inline(v, limit, 0)
	bud.left -= w.spent
	if fits && !w.over() && len(w.b) <= limit {
		return string(w.b)
	}
	n := min(len(w.b), limit)
	for k := 0; k < utf8.UTFMax-1 && n > 0 && n < len(w.b) && !utf8.RuneStart(w.b[n]); k++ {
		n--
	}
	return string(w.b[:n]) + "..."
}

// rendered reports whether the text of v is made by oneLine: v is a
// container (a tuple key, a call, an instance) whose text a pickle can
// make huge.
func rendered(v any) bool { return isTextContainer(v) }
