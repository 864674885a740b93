package pyquote

import (
	"math"
	"testing"
)

// Python 3.11's repr() of these floats, and of them as a complex's part.
func TestAppendFloatRepr(t *testing.T) {
	for _, tt := range []struct {
		f          float64
		repr, part string
	}{
		{0, "0.0", "0"},
		{math.Copysign(0, -1), "-0.0", "-0"},
		{1, "1.0", "1"},
		{-2.5, "-2.5", "-2.5"},
		{0.1, "0.1", "0.1"},
		{1e-4, "0.0001", "0.0001"},
		{1e-5, "1e-05", "1e-05"},
		{1e16, "1e+16", "1e+16"},
		{1e15, "1000000000000000.0", "1000000000000000"},
		{123456789012345678, "1.2345678901234568e+17", "1.2345678901234568e+17"},
		{math.Inf(1), "inf", "inf"},
		{math.Inf(-1), "-inf", "-inf"},
		{math.NaN(), "nan", "nan"},
		{5e-324, "5e-324", "5e-324"},
	} {
		if got := string(AppendFloatRepr(nil, tt.f, true)); got != tt.repr {
			t.Errorf("repr(%v) = %s, want %s", tt.f, got, tt.repr)
		}
		if got := string(AppendFloatRepr(nil, tt.f, false)); got != tt.part {
			t.Errorf("part %v = %s, want %s", tt.f, got, tt.part)
		}
	}
}
