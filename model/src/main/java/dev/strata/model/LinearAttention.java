package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * Gated DeltaNet linear attention (Yang et al. 2024, "Gated Delta Networks", arXiv:2412.06464; Qwen3-Next's
 * {@code linear_attn}): queries and keys of {@code keyHeads x keyHeadDim}, values of {@code valueHeads x valueHeadDim},
 * a causal depthwise convolution of {@code convKernel} over the queries, keys and values, and per value head a
 * {@code keyHeadDim x valueHeadDim} recurrent state in place of a cache that grows with the context.
 *
 * @param keyHeads      query and key heads ({@code linear_num_key_heads})
 * @param valueHeads    value heads ({@code linear_num_value_heads}); a multiple of {@code keyHeads}
 * @param keyHeadDim    size of a query or key head
 * @param valueHeadDim  size of a value head
 * @param convKernel    width of the causal convolution ({@code linear_conv_kernel_dim})
 */
public record LinearAttention(int keyHeads, int valueHeads, int keyHeadDim, int valueHeadDim, int convKernel)
        implements RecurrentMixer {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param keyHeads query and key heads ({@code linear_num_key_heads})
     * @param valueHeads value heads ({@code linear_num_value_heads}); a multiple of {@code keyHeads}
     * @param keyHeadDim size of a query or key head
     * @param valueHeadDim size of a value head
     * @param convKernel width of the causal convolution ({@code linear_conv_kernel_dim})
     */
    public LinearAttention {
        Checks.range("attention.keyHeads", keyHeads, 1, Limits.MAX_HEADS);
        Checks.range("attention.valueHeads", valueHeads, 1, Limits.MAX_HEADS);
        if (valueHeads % keyHeads != 0)
            throw new InvalidFieldException(
                    "attention.valueHeads", valueHeads, "a multiple of attention.keyHeads = " + keyHeads);
        Checks.range("attention.keyHeadDim", keyHeadDim, 1, Limits.MAX_WIDTH);
        Checks.range("attention.valueHeadDim", valueHeadDim, 1, Limits.MAX_WIDTH);
        if ((long) valueHeads * valueHeadDim > Limits.MAX_WIDTH || (long) keyHeads * keyHeadDim > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "attention.valueHeadDim", valueHeadDim, "such that heads x head size <= " + Limits.MAX_WIDTH);
        Checks.range("attention.convKernel", convKernel, 1, 64);
    }

    @Override
    public int heads() {
        return valueHeads;
    }

    @Override
    public long queryWidth() {
        return keyWidth();
    }

    @Override
    public int scoreHeadDim() {
        return keyHeadDim;
    }

    @Override
    public int valueHeadDim() {
        return valueHeadDim;
    }

    /**
     * Width of the queries (and of the keys): keyHeads x keyHeadDim.
     *
     * @return keyHeads x keyHeadDim, in elements
     */
    public long keyWidth() {
        return (long) keyHeads * keyHeadDim;
    }

    /**
     * Width of the values: valueHeads x valueHeadDim.
     *
     * @return valueHeads x valueHeadDim, in elements
     */
    public long valueWidth() {
        return (long) valueHeads * valueHeadDim;
    }

    /** Channels of the convolution: queries, keys and values. */
    @Override
    public long convChannels() {
        return 2 * keyWidth() + valueWidth();
    }

    /** Elements of the recurrent state of one sequence: valueHeads x keyHeadDim x valueHeadDim. */
    @Override
    public long recurrentStateElements() {
        return (long) valueHeads * keyHeadDim * valueHeadDim;
    }
}
