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

    /**
     * Bytes in decimal units with the unit named: 0 B, 65.5 kB, 2.68 GB (three significant digits; GB = 10⁹ bytes, as
     * device datasheets count).
     */
    static String bytes(double v) {
        return scaled(v, new String[] {"B", "kB", "MB", "GB", "TB", "PB"}, 1000);
    }

    /** FLOPs in decimal units: 0 FLOP, 2.42 GFLOP, 90.2 GFLOP (three significant digits). */
    static String flops(double v) {
        return scaled(v, new String[] {"FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "EFLOP"}, 1000);
    }

    /** A duration with three significant digits in the unit that reads best: 19.6 ns, 843 µs, 7.40 ms, 1.32 s. */
    static String seconds(double s) {
        if (!Double.isFinite(s)) return "–";
        double a = Math.abs(s);
        if (a == 0) return "0 ms";
        if (a < 1e-6) return sig(s * 1e9) + " ns";
        if (a < 1e-3) return sig(s * 1e6) + " µs";
        if (a < 1) return sig(s * 1e3) + " ms";
        if (a < 600) return sig(s) + " s";
        if (a < 3 * 3600) return sig(s / 60) + " min";
        return sig(s / 3600) + " h";
    }

    /** Three significant digits, no exponent, thousands separators: 0.0206, 7.40, 843, 1,230. */
    static String sig(double v) {
        if (!Double.isFinite(v)) return "–";
        if (v == 0) return "0";
        java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(3));
        if (d.abs().compareTo(java.math.BigDecimal.valueOf(1000)) >= 0) return String.format(Locale.ROOT, "%,.0f", d);
        if (d.precision() < 3) d = d.setScale(Math.max(0, d.scale() + 3 - d.precision())); // 1 -> 1.00, 15 -> 15.0
        return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }

    private static String scaled(double v, String[] units, double step) {
        if (!Double.isFinite(v)) return "–";
        int i = 0;
        double x = v;
        while (Math.abs(x) >= step * 0.9995 && i < units.length - 1) {
            x /= step;
            i++;
        }
        return sig(x) + " " + units[i];
    }

    /** $1,234,567 */
    static String usd(double v) {
        return String.format(Locale.ROOT, "$%,.0f", v);
    }

    private static final java.util.regex.Pattern EXPONENT =
            java.util.regex.Pattern.compile("(?<![\\w.])(-?[0-9]+(?:\\.[0-9]+)?)E(-?[0-9]+)(?![\\w.])");
    private static final java.util.regex.Pattern POINT_ZERO =
            java.util.regex.Pattern.compile("(?<![\\w.])(-?[0-9]+)\\.0(?![\\w.0-9])");

    /**
     * An error message as a page shows it: numbers as people write them ({@code 1.0E45} as 10⁴⁵, {@code 1.0} as 1),
     * and no file paths, which a browser cannot give (the pages take presets; the command line and the JSON API take
     * configs).
     */
    static String message(String m) {
        if (m == null) return null;
        String s = m.replace(" or a path to a config.json", "")
                .replace("a finite number > 0 and <= ", "a number above 0 and at most ")
                .replace("a finite number from ", "a number from ");
        java.util.regex.Matcher e = EXPONENT.matcher(s);
        StringBuilder out = new StringBuilder();
        while (e.find())
            e.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(sci(Double.parseDouble(e.group()))));
        e.appendTail(out);
        return POINT_ZERO.matcher(out).replaceAll("$1");
    }
}
