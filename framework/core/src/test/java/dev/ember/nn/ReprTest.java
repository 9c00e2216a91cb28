package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Python's float and tuple text in module reprs; expected strings are Python 3's repr() of the same values. */
class ReprTest {

    @Test
    void pythonFloatRepr() {
        double[] values = {1e-05, 0.0001, 1e16, 1234567890123456.0, 0.1, 1.5e-7, 123.0, -0.0, 0.30000000000000004,
            2.5e+20, 9.999e15, 1e22, 0.01};
        String[] python = {"1e-05", "0.0001", "1e+16", "1234567890123456.0", "0.1", "1.5e-07", "123.0", "-0.0",
            "0.30000000000000004", "2.5e+20", "9999000000000000.0", "1e+22", "0.01"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], Repr.pyFloat(values[i]), "repr(" + values[i] + ")");
        }
        assertEquals("inf", Repr.pyFloat(Double.POSITIVE_INFINITY));
        assertEquals("nan", Repr.pyFloat(Double.NaN));
    }

    @Test
    void numbersAndTuples() {
        assertEquals("20", Repr.pyNumber(20));
        assertEquals("0.5", Repr.pyNumber(0.5));
        assertEquals("(3,)", Repr.pyTuple(new long[] {3}));
        assertEquals("(2, 3)", Repr.pyTuple(new long[] {2, 3}));
    }
}
