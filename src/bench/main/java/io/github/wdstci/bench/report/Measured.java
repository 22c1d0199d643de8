package io.github.wdstci.bench.report;

/**
 * One figure of one run: a value, its error (JMH's 99.9% confidence
 * half-width; for the C consumer and the extras, half the range of their
 * repeated measurements; NaN when unknown) and its unit.
 */
record Measured(double value, double error, String unit) {

    /** A figure whose error is relative to its value, carried through a transformation. */
    double relativeError() {
        return value == 0 ? Double.NaN : Math.abs(error / value);
    }

    /** {@code k / this} (e.g. ms per GiB to GiB/s): the relative error carries over. */
    Measured inverse(double k, String newUnit) {
        double v = k / value;
        return new Measured(v, Math.abs(v) * relativeError(), newUnit);
    }

    /** {@code this * k}. */
    Measured times(double k, String newUnit) {
        return new Measured(value * k, Math.abs(error * k), newUnit);
    }

    /** {@code a / b}, relative errors added in quadrature. */
    static Measured ratio(Measured a, Measured b) {
        if (a == null || b == null) {
            return null;
        }
        double v = a.value / b.value;
        double re = Math.hypot(a.relativeError(), b.relativeError());
        return new Measured(v, Math.abs(v) * re, "x");
    }
}
