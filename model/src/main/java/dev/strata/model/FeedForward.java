package dev.strata.model;

/** The feed-forward block of a layer: a dense MLP, a gated MLP, or a mixture of experts. */
public sealed interface FeedForward permits Mlp, MixtureOfExperts {}
