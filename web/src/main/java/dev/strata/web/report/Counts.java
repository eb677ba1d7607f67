package dev.strata.web.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/** JSON counts (docs/architecture.md, "Contracts": counts are integers) from the doubles that laws and cost estimates produce. */
final class Counts {
    private Counts() {}

    /** Puts {@code value} rounded to the nearest integer, of any size. */
    static void put(ObjectNode o, String key, double value) {
        o.put(key, new BigDecimal(Math.rint(value)).toBigInteger());
    }
}
