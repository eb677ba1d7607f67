package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;

/**
 * A Mamba (Mamba-1) selective state-space mixer (Gu and Dao 2023, arXiv:2312.00752; Jamba's mixer,
 * modeling_jamba.JambaMambaMixer): an input projection to x and the gate (2 x inner), a causal depthwise convolution
 * over x, a projection of x to the step-size rank and B and C, the step-size projection back to the inner width, per
 * inner channel a state of {@code stateSize} in place of a cache that grows with the context, and an output projection.
 * Jamba normalises the step size, B and C with RMSNorms ({@code innerNorms}).
 *
 * @param innerWidth     inner width ({@code mamba_expand} x hidden)
 * @param stateSize      state size N per channel ({@code mamba_d_state})
 * @param dtRank         rank of the step-size projection ({@code mamba_dt_rank})
 * @param convKernel     width of the causal convolution ({@code mamba_d_conv})
 * @param convBias       whether the convolution has a bias ({@code mamba_conv_bias})
 * @param projectionBias whether the input and output projections have biases ({@code mamba_proj_bias})
 * @param innerNorms     whether the step size, B and C are normalised (Jamba's dt, b and c layernorms)
 */
public record SelectiveStateSpaceMixer(
        int innerWidth,
        int stateSize,
        int dtRank,
        int convKernel,
        boolean convBias,
        boolean projectionBias,
        boolean innerNorms)
        implements RecurrentMixer {
    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param innerWidth inner width ({@code mamba_expand} x hidden)
     * @param stateSize state size N per channel ({@code mamba_d_state})
     * @param dtRank rank of the step-size projection ({@code mamba_dt_rank})
     * @param convKernel width of the causal convolution ({@code mamba_d_conv})
     * @param convBias whether the convolution has a bias ({@code mamba_conv_bias})
     * @param projectionBias whether the input and output projections have biases ({@code mamba_proj_bias})
     * @param innerNorms whether the step size, B and C are normalised (Jamba's dt, b and c layernorms)
     */
    public SelectiveStateSpaceMixer {
        Checks.range("attention.innerWidth", innerWidth, 1, Limits.MAX_WIDTH);
        Checks.range("attention.stateSize", stateSize, 1, 1 << 16);
        Checks.range("attention.dtRank", dtRank, 1, Limits.MAX_WIDTH);
        Checks.range("attention.convKernel", convKernel, 1, 64);
    }

    /** One "head" per inner channel: what tensor parallelism splits. */
    @Override
    public int heads() {
        return innerWidth;
    }

    @Override
    public long queryWidth() {
        return innerWidth;
    }

    @Override
    public int scoreHeadDim() {
        return stateSize;
    }

    @Override
    public int valueHeadDim() {
        return 1;
    }

    /** Channels of the convolution: the inner width. */
    @Override
    public long convChannels() {
        return innerWidth;
    }

    /** Elements of the SSM state of one sequence: innerWidth x stateSize. */
    @Override
    public long recurrentStateElements() {
        return (long) innerWidth * stateSize;
    }
}
