package proto

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/zodbneo/zodbneo/zodb"
)

// maxShownBytes is how many bytes of a bin Format shows.
const maxShownBytes = 32

// Format returns the fields of a packet for people to read:
// "Name=value ..." for typed packets, the msgpack arguments for a
// *Generic. nil values print as None.
func Format(m Msg) string {
	if g, ok := m.(*Generic); ok {
		var sb strings.Builder
		formatRaw(&sb, g.Args, 0)
		return sb.String()
	}
	v := reflect.ValueOf(m).Elem()
	var sb strings.Builder
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Name == "PacketCode" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(f.Name)
		sb.WriteByte('=')
		formatValue(&sb, v.Field(i))
	}
	return sb.String()
}

var (
	tidType = reflect.TypeOf(zodb.Tid(0))
	oidType = reflect.TypeOf(zodb.Oid(0))
	rawType = reflect.TypeOf(Raw(nil))
)

func formatValue(sb *strings.Builder, v reflect.Value) {
	switch {
	case v.Type() == rawType:
		formatRaw(sb, v.Bytes(), 0)
		return
	case v.Type() == tidType || v.Type() == oidType:
		if v.Uint() == math.MaxUint64 {
			sb.WriteString("None")
		} else {
			sb.WriteString(v.Interface().(fmt.Stringer).String())
		}
		return
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		formatBytes(sb, v.Bytes())
		return
	case v.Kind() == reflect.Float64:
		if IsNoTime(v.Float()) {
			sb.WriteString("None")
		} else {
			sb.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
		}
		return
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			sb.WriteString("None")
			return
		}
		if s, ok := v.Interface().(fmt.Stringer); ok {
			sb.WriteString(s.String())
			return
		}
		formatValue(sb, v.Elem())
		return
	case v.Kind() == reflect.Slice:
		if v.IsNil() && v.Type() == reflect.TypeOf([]zodb.Oid(nil)) {
			sb.WriteString("None")
			return
		}
		sb.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			formatValue(sb, v.Index(i))
		}
		sb.WriteByte(']')
		return
	case v.Kind() == reflect.Struct:
		sb.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(v.Type().Field(i).Name)
			sb.WriteByte(':')
			formatValue(sb, v.Field(i))
		}
		sb.WriteByte('}')
		return
	}
	if s, ok := v.Interface().(fmt.Stringer); ok {
		sb.WriteString(s.String())
		return
	}
	fmt.Fprint(sb, v.Interface())
}

// formatBytes writes b quoted when it is printable text, in hex
// otherwise, cut after maxShownBytes.
func formatBytes(sb *strings.Builder, b []byte) {
	cut := len(b) > maxShownBytes
	s := b
	if cut {
		s = b[:maxShownBytes]
	}
	text := true
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			text = false
			break
		}
	}
	if text {
		sb.WriteString(strconv.Quote(string(s)))
	} else {
		fmt.Fprintf(sb, "0x%x", s)
	}
	if cut {
		fmt.Fprintf(sb, "...(%d bytes)", len(b))
	}
}

// formatRaw writes the msgpack objects of a valid msgpack value as text.
// Bad input is written as "<?>" rather than failing.
func formatRaw(sb *strings.Builder, b []byte, depth int) int {
	n, err := objLen(b)
	if err != nil || depth > maxDepth {
		sb.WriteString("<?>")
		return len(b)
	}
	d := dec{b: b[:n]}
	c := b[0]
	switch {
	case c == 0xc0:
		sb.WriteString("None")
	case c == 0xc2, c == 0xc3:
		fmt.Fprint(sb, c == 0xc3)
	case c <= 0x7f || c >= 0xe0 || (c >= 0xcc && c <= 0xd3 && c != 0xd4):
		fmt.Fprint(sb, d.int())
	case c == 0xca, c == 0xcb:
		sb.WriteString(strconv.FormatFloat(d.float(), 'f', -1, 64))
	case c&0xe0 == 0xa0, c == 0xc4, c == 0xc5, c == 0xc6, c == 0xd9, c == 0xda, c == 0xdb:
		bb := d.bin()
		if len(bb) == 8 && (c == 0xc4) {
			fmt.Fprintf(sb, "%016x", binary.BigEndian.Uint64(bb))
		} else {
			formatBytes(sb, bb)
		}
	case c&0xf0 == 0x90, c == 0xdc, c == 0xdd:
		k := d.arrayLen()
		sb.WriteByte('[')
		for i := 0; i < k; i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			d.off += formatRaw(sb, d.b[d.off:], depth+1)
		}
		sb.WriteByte(']')
	case c&0xf0 == 0x80, c == 0xde, c == 0xdf:
		k := d.mapLen()
		sb.WriteByte('{')
		for i := 0; i < k; i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			d.off += formatRaw(sb, d.b[d.off:], depth+1)
			sb.WriteByte(':')
			d.off += formatRaw(sb, d.b[d.off:], depth+1)
		}
		sb.WriteByte('}')
	case c == 0xd4 && int(b[1]) < len(enumNames):
		sb.WriteString(enumName(enumNames[b[1]], int64(b[2]), "Enum"))
	default:
		fmt.Fprintf(sb, "ext(% x)", b[:n])
	}
	return n
}
