package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Low-rank adaptation (Hu et al. 2021, arXiv:2106.09685 §4.1): each targeted matrix W (in x out) is frozen and
 * trained through a pair A (in x rank), B (rank x out), which adds {@code rank x (in + out)} parameters.
 *
 * @param rank    the adapters' rank r; 0 means no adapters (full training)
 * @param targets the projections that get adapters (every expert's copy of a targeted MLP matrix gets its own)
 */
public record LoraAdapter(int rank, Set<Projection> targets) {
    /** No adapters: full training. */
    public static final LoraAdapter NONE = new LoraAdapter(0, Set.of());

    /** Every linear layer of the transformer blocks except the router (PEFT's "all-linear"; QLoRA §4). */
    public static final Set<Projection> ALL_LINEAR =
            Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(Projection.ROUTER)));

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param rank the adapters' rank r; 0 means no adapters (full training)
     * @param targets the projections that get adapters (every expert's copy of a targeted MLP matrix gets its own)
     */
    public LoraAdapter {
        Checks.range("lora.rank", rank, 0, Limits.MAX_WIDTH);
        Checks.present("lora.targets", targets);
        targets = targets.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(targets));
        if (rank > 0 && targets.isEmpty())
            throw new InvalidFieldException("lora.targets", "[]", "at least one projection when lora.rank > 0");
    }

    /**
     * Adapters of {@code rank} on all linear layers.
     *
     * @param rank the adapters' rank r; 0 means no adapters
     * @return adapters on {@link #ALL_LINEAR}: every projection but the router
     */
    public static LoraAdapter allLinear(int rank) {
        return new LoraAdapter(rank, ALL_LINEAR);
    }

    /**
     * Whether adapters are trained (rank > 0).
     *
     * @return whether {@link #rank()} is above 0
     */
    public boolean enabled() {
        return rank > 0;
    }
}
