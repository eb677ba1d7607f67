package dev.strata.model;

/**
 * A token mixer that keeps a state of fixed size per sequence instead of a cache that grows with the context: a
 * causal depthwise convolution over {@link #convChannels} channels and a recurrent state of
 * {@link #recurrentStateElements} elements (Gated DeltaNet, Mamba-2, Mamba-1).
 */
public sealed interface RecurrentMixer extends Attention
        permits LinearAttention, StateSpaceMixer, SelectiveStateSpaceMixer {
    /**
     * Channels of the causal convolution.
     *
     * @return the number of channels
     */
    long convChannels();

    /**
     * Width of the causal convolution.
     *
     * @return the kernel width in tokens
     */
    int convKernel();

    /**
     * Elements of the recurrent state of one sequence.
     *
     * @return the number of elements
     */
    long recurrentStateElements();
}
