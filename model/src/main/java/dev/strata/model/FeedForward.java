package dev.strata.model;

/** The feed-forward block of a layer: a dense MLP, a gated MLP, a mixture of experts, or none. */
public sealed interface FeedForward permits Mlp, MixtureOfExperts, NoFeedForward {}
