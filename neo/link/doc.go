// Package link is a NEO connection over a net.Conn: the handshake, then
// packets in both directions with requests and their answers matched by
// msg id (the facts of NEO/py's neo/lib/connection.py).
//
// Ask sends a request and waits for the answer with the same msg id; many
// Asks may be in flight from many goroutines. Notify sends a packet without
// waiting, Answer replies to a peer's request. Requests and notifications
// from the peer go to the Handler, each on its own goroutine, or all on
// one goroutine in arrival order with Options.Ordered. A corrupt,
// truncated or oversized packet closes the link; closing it (or the peer
// going away) fails every waiting Ask.
package link
