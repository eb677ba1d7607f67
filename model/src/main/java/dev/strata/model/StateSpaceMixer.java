package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * A Mamba-2 state-space mixer (Dao and Gu 2024, "Transformers are SSMs", arXiv:2405.21060; Nemotron-H's mixer):
 * an input projection to the gate, the inner activations x, the B and C projections of {@code groups x stateSize}
 * and one step size per head; a causal depthwise convolution over x, B and C; per head a {@code headDim x stateSize}
 * state in place of a cache that grows with the context; a gated norm (optional in Falcon-H1) and an output
 * projection.
 *
 * @param heads          SSM heads ({@code mamba_num_heads})
 * @param headDim        size of each head ({@code mamba_head_dim}); the inner width is heads x headDim
 * @param groups         groups of B and C ({@code n_groups}); divides the heads
 * @param stateSize      state size N per head channel ({@code ssm_state_size})
 * @param convKernel     width of the causal convolution ({@code conv_kernel})
 * @param convBias       whether the convolution has a bias ({@code use_conv_bias})
 * @param projectionBias whether the input projection has a bias ({@code use_bias}; Falcon-H1's {@code mamba_proj_bias})
 * @param outputBias     whether the output projection has a bias ({@code use_bias}; Falcon-H1's {@code projectors_bias})
 * @param gatedNorm      whether a gated RMSNorm over the inner width precedes the output projection (Mamba-2's; Falcon-H1
 *                       only with {@code mamba_rms_norm})
 */
public record StateSpaceMixer(
        int heads,
        int headDim,
        int groups,
        int stateSize,
        int convKernel,
        boolean convBias,
        boolean projectionBias,
        boolean outputBias,
        boolean gatedNorm)
        implements RecurrentMixer {
    /**
     * Mamba-2 as Nemotron-H has it: one bias flag for both projections, and the gated norm.
     *
     * @param heads SSM heads
     * @param headDim size of each head
     * @param groups groups of B and C; divides the heads
     * @param stateSize state size N per head channel
     * @param convKernel width of the causal convolution
     * @param convBias whether the convolution has a bias
     * @param projectionBias whether the input and the output projections have biases
     */
    public StateSpaceMixer(
            int heads,
            int headDim,
            int groups,
            int stateSize,
            int convKernel,
            boolean convBias,
            boolean projectionBias) {
        this(heads, headDim, groups, stateSize, convKernel, convBias, projectionBias, projectionBias, true);
    }

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param heads SSM heads ({@code mamba_num_heads})
     * @param headDim size of each head ({@code mamba_head_dim}); the inner width is heads x headDim
     * @param groups groups of B and C ({@code n_groups}); divides the heads
     * @param stateSize state size N per head channel ({@code ssm_state_size})
     * @param convKernel width of the causal convolution ({@code conv_kernel})
     * @param convBias whether the convolution has a bias ({@code use_conv_bias})
     * @param projectionBias whether the input projection has a bias ({@code use_bias}; Falcon-H1's {@code
     *     mamba_proj_bias})
     * @param outputBias whether the output projection has a bias ({@code use_bias}; Falcon-H1's {@code
     *     projectors_bias})
     * @param gatedNorm whether a gated RMSNorm over the inner width precedes the output projection (Mamba-2's;
     *     Falcon-H1 only with {@code mamba_rms_norm})
     */
    public StateSpaceMixer {
        Checks.range("attention.heads", heads, 1, Limits.MAX_HEADS);
        Checks.range("attention.headDim", headDim, 1, Limits.MAX_WIDTH);
        if ((long) heads * headDim > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "attention.headDim", headDim, "such that heads x headDim <= " + Limits.MAX_WIDTH);
        Checks.range("attention.groups", groups, 1, heads);
        if (heads % groups != 0)
            throw new InvalidFieldException("attention.groups", groups, "a divisor of attention.heads = " + heads);
        Checks.range("attention.stateSize", stateSize, 1, 1 << 16);
        Checks.range("attention.convKernel", convKernel, 1, 64);
    }

    @Override
    public long queryWidth() {
        return innerWidth();
    }

    @Override
    public int scoreHeadDim() {
        return stateSize;
    }

    @Override
    public int valueHeadDim() {
        return headDim;
    }

    /**
     * The inner width: heads x headDim.
     *
     * @return heads x headDim
     */
    public long innerWidth() {
        return (long) heads * headDim;
    }

    /**
     * Output width of the input projection: gate z and x (2 x inner), B and C (2 x groups x stateSize), dt (heads).
     *
     * @return 2 x inner + 2 x groups x stateSize + heads
     */
    public long inputProjectionWidth() {
        return 2 * innerWidth() + 2L * groups * stateSize + heads;
    }

    /** Channels of the convolution: x, B and C. */
    @Override
    public long convChannels() {
        return innerWidth() + 2L * groups * stateSize;
    }

    /** Elements of the SSM state of one sequence: heads x headDim x stateSize. */
    @Override
    public long recurrentStateElements() {
        return innerWidth() * stateSize;
    }
}
