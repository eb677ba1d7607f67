/**
 * Training step time from first principles: how long one optimizer step of Megatron-style data, tensor, pipeline and
 * sequence parallel training takes on a GPU, from the FLOPs and bytes of every layer, the collectives and the pipeline
 * schedule, and from it MFU, HFU and tokens per second. Answers "how fast will this layout train?"
 */
package dev.strata.estimator.training;
