package dev.strata.model;

/** A layer without a feed-forward block (Nemotron-H's attention and Mamba layers). */
public record NoFeedForward() implements FeedForward {}
