package dev.strata.web.page;

import java.util.Locale;

/** Numbers for people, as the pages show them (CSV and JSON keep the plain values). */
final class Show {
    private Show() {}

    private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /** 7.72 × 10²³; plain with separators below a million. */
    static String sci(double v) {
        if (!Double.isFinite(v)) return "–";
        double a = Math.abs(v);
        if (a == 0) return "0";
        if (a < 1e6 && a >= 1e-3)
            return a >= 1000
                    ? String.format(Locale.ROOT, "%,.0f", v)
                    : String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
        int exp = (int) Math.floor(Math.log10(a));
        double mant = v / Math.pow(10, exp);
        if (Math.abs(mant) >= 9.995) {
            mant /= 10;
            exp++;
        }
        return String.format(Locale.ROOT, "%.2f", mant) + " × 10" + superscript(exp);
    }

    private static String superscript(int exp) {
        StringBuilder b = new StringBuilder();
        if (exp < 0) b.append('⁻');
        for (char c : Integer.toString(Math.abs(exp)).toCharArray()) b.append(SUPERSCRIPTS.charAt(c - '0'));
        return b.toString();
    }

    /** 1,234,567 */
    static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** 12.3 B, 405 M, 1.5 T: a count in words for parameters and tokens. */
    static String words(double v) {
        double a = Math.abs(v);
        if (a >= 1e12) return String.format(Locale.ROOT, "%.3g T", v / 1e12);
        if (a >= 1e9) return String.format(Locale.ROOT, "%.3g B", v / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%.3g M", v / 1e6);
        return count(v);
    }

    /** Bytes in GB (10⁹ bytes), one decimal. */
    static String gb(double bytes) {
        return String.format(Locale.ROOT, "%,.1f GB", bytes / 1e9);
    }

    /** A fixed number of decimals. */
    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** $1,234,567 */
    static String usd(double v) {
        return String.format(Locale.ROOT, "$%,.0f", v);
    }
}
