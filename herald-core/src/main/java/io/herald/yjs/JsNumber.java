package io.herald.yjs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * ECMAScript {@code Number::toString} for finite doubles: the shortest decimal that reads back as
 * the same double (the closest one when several have that length), in JavaScript's layout. Java's
 * {@code Double.toString} differs in layout and, for some values, in digits.
 */
final class JsNumber {
    private JsNumber() {
    }

    static String toString(double v) {
        if (v == 0) {
            return "0";
        }
        if (v < 0) {
            return "-" + toString(-v);
        }
        BigDecimal shortest = shortest(v);
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        // v = digits × 10^(n − k)
        int n = k - shortest.scale();
        return layout(digits, k, n);
    }

    private static BigDecimal shortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
            boolean downOk = down.doubleValue() == v;
            boolean upOk = up.doubleValue() == v;
            if (downOk && upOk) {
                int cmp = exact.subtract(down).compareTo(up.subtract(exact));
                if (cmp != 0) {
                    return strip(cmp < 0 ? down : up);
                }
                return strip(down.unscaledValue().testBit(0) ? up : down);
            }
            if (downOk) {
                return strip(down);
            }
            if (upOk) {
                return strip(up);
            }
        }
        return strip(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
    }

    private static BigDecimal strip(BigDecimal d) {
        return d.stripTrailingZeros();
    }

    private static String layout(String digits, int k, int n) {
        StringBuilder b = new StringBuilder();
        if (k <= n && n <= 21) {
            b.append(digits);
            b.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            b.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            b.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            b.append(digits.charAt(0));
            if (k > 1) {
                b.append('.').append(digits, 1, k);
            }
            b.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return b.toString();
    }
}
