package dev.strata.web.cli;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The workload, precision, parallelism and hardware options of {@code estimate} and {@code sweep}, as text: the
 * report layer parses them ({@code EstimateOptions}, {@code ServingOptions}) so the command line and the HTTP API
 * (same names without dashes) share one parser. {@code sweep} accepts lists and ranges in any of them.
 */
public final class WorkloadOptions {
    @Option(
            names = "--batch",
            paramLabel = "B",
            description = "Sequences per data-parallel replica (training: micro-batch); default 1.")
    String batch;

    @Option(
            names = "--prompt",
            paramLabel = "T",
            description = "Prompt tokens per sequence (training: sequence length); default 512.")
    String prompt;

    @Option(names = "--generate", paramLabel = "G", description = "Generated tokens per sequence; default 128.")
    String generate;

    @Option(
            names = "--prefill-chunk",
            paramLabel = "C",
            description = "Prompt tokens per prefill pass (chunked prefill); default 0 = whole prompt.")
    String prefillChunk;

    @Option(
            names = "--max-batched-tokens",
            paramLabel = "N",
            description =
                    "Token budget of a forward pass (prompt chunks of the batch, as engines bound a step); default 8192 (simulate: the engine's own); estimate and sweep: 0 = the whole batch's prompts in one pass.")
    String maxBatchedTokens;

    @Option(
            names = "--weights",
            paramLabel = "<format>",
            description =
                    "Weight format: fp32, bf16 (default), fp16, fp8, int8, int4 (= int4-g128: fp16 scale per 128), int4-g<N>, nf4, nf4-dq.")
    String weights;

    @Option(
            names = "--kv",
            paramLabel = "<format>",
            description =
                    "KV-cache format: fp32, bf16, fp16, fp8, int8, int4-g<N> (4-bit needs its group size); default: the activation format.")
    String kv;

    @Option(
            names = "--tp",
            paramLabel = "N",
            description = "Tensor-parallel ranks; must divide the attention heads. Default 1.")
    String tp;

    @Option(names = "--pp", paramLabel = "N", description = "Pipeline stages; default 1.")
    String pp;

    @Option(names = "--dp", paramLabel = "N", description = "Data-parallel replicas; default 1.")
    String dp;

    @Option(names = "--ep", paramLabel = "N", description = "Expert-parallel ranks (must divide tp x dp); default 1.")
    String ep;

    @Option(names = "--zero", paramLabel = "0..3", description = "ZeRO stage over the data-parallel ranks; default 0.")
    String zero;

    @Option(
            names = "--sequence-parallel",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "true|false",
            description = "Megatron sequence parallelism (splits norm/dropout activations over tp).")
    String sequenceParallel;

    @Option(
            names = "--recompute",
            paramLabel = "none|selective|full",
            description = "Activation recomputation in training; default none.")
    String recompute;

    @Option(
            names = "--optimizer",
            paramLabel = "adamw|adam8bit|sgd",
            description = "Training optimizer; default adamw.")
    String optimizer;

    @Option(
            names = "--lora-rank",
            paramLabel = "R",
            description = "LoRA rank for fine-tuning; with --weights nf4-dq this is QLoRA. Default 0 = full training.")
    String loraRank;

    @Option(
            names = "--lora-targets",
            paramLabel = "q,k,v,...",
            description =
                    "Projections with LoRA adapters: q,k,v,o,q_a,q_b,kv_a,kv_b,gate,up,down,router, or all-linear (default).")
    String loraTargets;

    @Option(
            names = "--attention-flops",
            paramLabel = "full|causal",
            description = "Prefill attention FLOPs: full T x T as the profiler counts (default) or causal T(T+1)/2.")
    String attentionFlops;

    @Option(
            names = "--device-memory-gib",
            paramLabel = "GiB",
            description = "Memory of one device in GiB (2^30 bytes): adds memory.fits.")
    String deviceMemoryGib;

    @Option(
            names = "--device-memory-gb",
            paramLabel = "GB",
            description = "Memory of one device in GB (1e9 bytes): adds memory.fits.")
    String deviceMemoryGb;

    @Option(
            names = "--overhead-gib",
            paramLabel = "GiB",
            description = "Runtime overhead per device (CUDA context, workspaces); default 1.")
    String overheadGib;

    @Option(
            names = "--hardware",
            paramLabel = "<id | path/to/hardware.json>",
            description =
                    "A catalog device (see 'strata hardware') or a JSON file in the catalog's form: adds latency, throughput, capacity and cost.")
    String hardware;

    @Option(
            names = "--devices",
            paramLabel = "N",
            description =
                    "Devices per replica; without --tp/--pp they split as tensor parallel up to 8, then pipeline stages.")
    String devices;

    @Option(
            names = "--price",
            paramLabel = "USD",
            description = "Price per device-hour (overrides the catalog's assumption).")
    String price;

    @Option(
            names = "--bandwidth-gbs",
            paramLabel = "GB/s",
            description = "Memory bandwidth of the device in GB/s (overrides the catalog).")
    String bandwidthGbs;

    @Option(
            names = "--peak-tflops",
            paramLabel = "TFLOP/s",
            description = "Dense peak of the compute format in TFLOP/s (overrides the catalog).")
    String peakTflops;

    @Option(
            names = "--bandwidth-efficiency",
            paramLabel = "0..1",
            description = "Achieved / datasheet memory bandwidth (calibrated estimate).")
    String bandwidthEfficiency;

    @Option(
            names = "--compute-efficiency",
            paramLabel = "0..1",
            description = "Achieved / datasheet peak of large matrix products.")
    String computeEfficiency;

    @Option(
            names = "--communication-efficiency",
            paramLabel = "0..1",
            description = "Achieved / datasheet link bandwidth of collectives.")
    String communicationEfficiency;

    @Option(
            names = "--engine",
            paramLabel = "trtllm|vllm|sglang|eager|llamacpp",
            description =
                    "The serving engine on a catalog NVIDIA GPU (default trtllm, the calibrated profile; the others"
                            + " are documented assumptions).")
    String engine;

    @Option(
            names = "--offload",
            paramLabel = "none|weights|kv",
            description = "Keep weights or KV cache in host memory, streamed over the host link.")
    String offload;

    @Option(
            names = "--measured-ms-per-token",
            paramLabel = "ms",
            description =
                    "A measured time per output token for this setup: reports the bandwidth efficiency it implies.")
    String measuredMsPerToken;

    @Option(
            names = "--target-ms-per-token",
            paramLabel = "ms",
            description = "A time-per-token target: reports the cheapest catalog hardware (and count) that meets it.")
    String targetMsPerToken;

    /** Every option by its name without dashes; absent ones are null. */
    public Map<String, String> values() {
        Map<String, String> v = new HashMap<>();
        v.put("batch", batch);
        v.put("prompt", prompt);
        v.put("generate", generate);
        v.put("prefill-chunk", prefillChunk);
        v.put("max-batched-tokens", maxBatchedTokens);
        v.put("weights", weights);
        v.put("kv", kv);
        v.put("tp", tp);
        v.put("pp", pp);
        v.put("dp", dp);
        v.put("ep", ep);
        v.put("zero", zero);
        v.put("sequence-parallel", sequenceParallel);
        v.put("recompute", recompute);
        v.put("optimizer", optimizer);
        v.put("lora-rank", loraRank);
        v.put("lora-targets", loraTargets);
        v.put("attention-flops", attentionFlops);
        v.put("device-memory-gib", deviceMemoryGib);
        v.put("device-memory-gb", deviceMemoryGb);
        v.put("overhead-gib", overheadGib);
        v.put("hardware", hardware);
        v.put("devices", devices);
        v.put("price", price);
        v.put("bandwidth-gbs", bandwidthGbs);
        v.put("peak-tflops", peakTflops);
        v.put("bandwidth-efficiency", bandwidthEfficiency);
        v.put("compute-efficiency", computeEfficiency);
        v.put("communication-efficiency", communicationEfficiency);
        v.put("offload", offload);
        v.put("engine", engine);
        v.put("measured-ms-per-token", measuredMsPerToken);
        v.put("target-ms-per-token", targetMsPerToken);
        return v;
    }
}
