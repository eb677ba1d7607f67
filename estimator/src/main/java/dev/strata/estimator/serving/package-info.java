/**
 * Serving under traffic: a discrete-event simulation of engine replicas that batch continuously (a scheduler with a
 * sequence limit and a per-step token budget, chunked prefill mixed with decode, a paged KV cache with preemption by
 * recomputation), each step timed by the latency model for the step's own mix.
 */
package dev.strata.estimator.serving;
