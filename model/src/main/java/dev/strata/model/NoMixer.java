package dev.strata.model;

/**
 * A layer without a token mixer: a block of a hybrid whose layers each hold one mixer or one feed-forward (Nemotron-H's
 * MLP and MoE layers).
 */
public record NoMixer() implements Attention {
    @Override
    public int heads() {
        return 1;
    }

    @Override
    public long queryWidth() {
        return 0;
    }

    @Override
    public int scoreHeadDim() {
        return 0;
    }

    @Override
    public int valueHeadDim() {
        return 0;
    }
}
