package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * A run of {@code count} consecutive identical layers.
 *
 * @param count how many layers in a row have this kind
 * @param kind  the layers' kind
 */
public record LayerGroup(int count, LayerKind kind) {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param count how many layers in a row have this kind
     * @param kind the layers' kind
     */
    public LayerGroup {
        Checks.range("layers.count", count, 1, Limits.MAX_LAYERS);
        Checks.present("layers.kind", kind);
    }
}
