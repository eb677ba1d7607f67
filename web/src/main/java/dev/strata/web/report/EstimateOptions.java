package dev.strata.web.report;

import dev.strata.estimator.flops.AttentionMask;
import dev.strata.estimator.flops.FlopsConvention;
import dev.strata.estimator.memory.InferenceMemory;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LoraAdapter;
import dev.strata.model.NumericFormat;
import dev.strata.model.Optimizer;
import dev.strata.model.Parallelism;
import dev.strata.model.Precision;
import dev.strata.model.Projection;
import dev.strata.model.Recompute;
import dev.strata.model.Workload;
import dev.strata.model.internal.Limits;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The workload options of {@code estimate} (documented in docs/cli.md and {@code strata estimate --help}), parsed in one place for the command line ({@code --batch 4}) and the HTTP
 * API ({@code batch=4}): the names are the same, without the leading dashes. Every bad value becomes an
 * {@link InvalidFieldException} that names the option as the user wrote it; errors the estimators raise about a
 * workload field ({@code parallelism.tensor}) are renamed to the option ({@code --tp}) by {@link #rename}.
 *
 * @param workload             batch, tokens, parallelism, recompute, optimizer, LoRA
 * @param precision            formats of weights, KV cache and the rest ({@link Precision#of})
 * @param convention           how attention FLOPs of a prefill are counted
 * @param runtimeOverheadBytes the runtime overhead per device
 * @param deviceMemoryBytes    capacity of one device, or null when not given (no verdict then)
 * @param prefix               how option names are written in messages: {@code "--"} on the command line, {@code ""} in HTTP
 */
public record EstimateOptions(
        Workload workload,
        Precision precision,
        FlopsConvention convention,
        long runtimeOverheadBytes,
        Long deviceMemoryBytes,
        String prefix) {

    /** Default prompt tokens: 512 (fits every preset's context with the default 128 generated tokens). */
    public static final long DEFAULT_PROMPT = 512;
    /** Default generated tokens: 128. */
    public static final long DEFAULT_GENERATE = 128;

    /**
     * Default prefill token budget of a forward pass, {@code max-batched-tokens}: 8,192, as vLLM's chunked-prefill
     * scheduler bounds a step ({@code max_num_batched_tokens}); 0 puts the whole batch's prompts in one pass.
     */
    public static final long DEFAULT_MAX_BATCHED_TOKENS = 8192;

    /** The defaults (every option absent). */
    public static EstimateOptions defaults() {
        return parse(name -> null, "--");
    }

    /**
     * Parses the options; {@code values} gives the text of an option by its name without dashes, or null when absent.
     *
     * @param prefix {@code "--"} for the command line, {@code ""} for HTTP query parameters and body fields
     */
    public static EstimateOptions parse(Function<String, String> values, String prefix) {
        return parse(values, prefix, null);
    }

    /**
     * As {@link #parse(Function, String)}, with the weight format of {@code model}'s checkpoint (when its config
     * names one) as the default of {@code weights}; an explicit {@code weights} overrides it.
     */
    public static EstimateOptions parse(Function<String, String> values, String prefix, ResolvedModel model) {
        Parser p = new Parser(values, prefix);
        String weightsText = p.text("weights", null);
        NumericFormat weights = weightsText != null
                ? NumericFormat.parseWeights(prefix + "weights", weightsText)
                : model != null && model.weights() != null ? model.weights() : NumericFormat.BF16;
        Optimizer optimizer = Optimizer.parse(prefix + "optimizer", p.text("optimizer", "adamw"));
        NumericFormat compute =
                Precision.of(weights, NumericFormat.BF16, optimizer).activations();
        String kvText = p.text("kv", null);
        NumericFormat kv = kvText == null ? compute : NumericFormat.parse(prefix + "kv", kvText);
        Precision precision = Precision.of(weights, kv, optimizer);
        // a checkpoint that quantises only its routed experts (gpt-oss's MXFP4) keeps them in their own format
        if (weightsText == null && model != null && model.weights() != null && model.expertWeights() != null)
            precision = precision.withExpertWeights(model.expertWeights());
        int tp = (int) p.integer("tp", 1, 1, Parallelism.MAX_DEGREE);
        int pp = (int) p.integer("pp", 1, 1, Parallelism.MAX_DEGREE);
        int dp = (int) p.integer("dp", 1, 1, Parallelism.MAX_DEGREE);
        int ep = (int) p.integer("ep", 1, 1, Parallelism.MAX_DEGREE);
        int zero = (int) p.integer("zero", 0, 0, 3);
        boolean sp = p.bool("sequence-parallel");
        Recompute recompute = Recompute.parse(prefix + "recompute", p.text("recompute", "none"));
        int loraRank = (int) p.integer("lora-rank", 0, 0, Limits.MAX_WIDTH);
        Set<Projection> targets = loraTargets(prefix + "lora-targets", p.text("lora-targets", "all-linear"));
        FlopsConvention convention =
                FlopsConvention.of(AttentionMask.parse(prefix + "attention-flops", p.text("attention-flops", "full")));
        long overhead = p.bytes("overhead-gib", 1L << 30, InferenceMemory.DEFAULT_RUNTIME_OVERHEAD_BYTES, true);
        Long gib = p.has("device-memory-gib") ? p.bytes("device-memory-gib", 1L << 30, 0, false) : null;
        Long gb = p.has("device-memory-gb") ? p.bytes("device-memory-gb", 1_000_000_000L, 0, false) : null;
        if (gib != null && gb != null)
            throw InvalidFieldException.withMessage(
                    prefix + "device-memory-gb",
                    prefix + "device-memory-gb and " + prefix + "device-memory-gib are both given: give one of them");
        try {
            Parallelism parallelism = new Parallelism(tp, pp, dp, ep, zero, sp);
            LoraAdapter lora = new LoraAdapter(loraRank, loraRank == 0 ? Set.of() : targets);
            Workload workload = new Workload(
                    p.integer("batch", 1, 1, Workload.MAX_BATCH),
                    p.integer("prompt", DEFAULT_PROMPT, 1, Limits.MAX_CONTEXT),
                    p.integer("generate", DEFAULT_GENERATE, 0, Limits.MAX_CONTEXT),
                    p.integer("prefill-chunk", 0, 0, Limits.MAX_CONTEXT),
                    p.integer("max-batched-tokens", DEFAULT_MAX_BATCHED_TOKENS, 0, Workload.MAX_TOKEN_BUDGET),
                    parallelism,
                    recompute,
                    optimizer,
                    lora);
            return new EstimateOptions(workload, precision, convention, overhead, gib != null ? gib : gb, prefix);
        } catch (InvalidFieldException e) {
            throw rename(e, prefix);
        }
    }

    private static Set<Projection> loraTargets(String field, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("all-linear") || t.equals("all")) return LoraAdapter.ALL_LINEAR;
        Set<Projection> set = EnumSet.noneOf(Projection.class);
        for (String part : t.split(",")) {
            String id = part.trim();
            if (id.endsWith("_proj")) id = id.substring(0, id.length() - "_proj".length());
            Projection proj = Projection.byId(id);
            if (proj == null)
                throw new InvalidFieldException(
                        field,
                        text,
                        "all-linear or a comma-separated list of q, k, v, o, q_a, q_b, kv_a, kv_b, gate, up, down, router");
            set.add(proj);
        }
        return set;
    }

    /** Library field names of the workload and precision, and the option that sets each. */
    private static final Map<String, String> FIELD_TO_OPTION = Map.ofEntries(
            Map.entry("batch", "batch"),
            Map.entry("microBatch", "batch"),
            Map.entry("promptTokens", "prompt"),
            Map.entry("sequenceTokens", "prompt"),
            Map.entry("contextTokens", "prompt"),
            Map.entry("generatedTokens", "generate"),
            Map.entry("prefillChunkTokens", "prefill-chunk"),
            Map.entry("prefillTokenBudget", "max-batched-tokens"),
            Map.entry("parallelism.tensor", "tp"),
            Map.entry("parallelism.pipeline", "pp"),
            Map.entry("parallelism.data", "dp"),
            Map.entry("parallelism.expert", "ep"),
            Map.entry("parallelism.zeroStage", "zero"),
            Map.entry("lora.rank", "lora-rank"),
            Map.entry("lora.targets", "lora-targets"),
            Map.entry("precision.weights", "weights"),
            Map.entry("precision.kvCache", "kv"),
            Map.entry("runtimeOverheadBytes", "overhead-gib"));

    /** The same error naming the option ({@code --tp}) instead of the library field ({@code parallelism.tensor}). */
    public static InvalidFieldException rename(InvalidFieldException e, String prefix) {
        String option = FIELD_TO_OPTION.get(e.field());
        String message = e.getMessage();
        if (option == null || message == null || !message.startsWith(e.field())) return e;
        return InvalidFieldException.withMessage(
                prefix + option, prefix + option + message.substring(e.field().length()));
    }

    /** Reads option texts and turns bad ones into errors that name the option. */
    private static final class Parser {
        private final Function<String, String> values;
        private final String prefix;

        Parser(Function<String, String> values, String prefix) {
            this.values = values;
            this.prefix = prefix;
        }

        boolean has(String name) {
            String v = values.apply(name);
            return v != null && !v.isBlank();
        }

        String text(String name, String dflt) {
            return has(name) ? values.apply(name).trim() : dflt;
        }

        long integer(String name, long dflt, long min, long max) {
            if (!has(name)) return dflt;
            String t = values.apply(name).trim();
            long v;
            try {
                v = Inputs.parseLong(t);
            } catch (NumberFormatException e) {
                throw new InvalidFieldException(prefix + name, t, "an integer from " + min + " to " + max);
            }
            if (v < min || v > max)
                throw new InvalidFieldException(prefix + name, v, "an integer from " + min + " to " + max);
            return v;
        }

        boolean bool(String name) {
            if (!has(name)) return false;
            String t = values.apply(name).trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("1") || t.equals("yes")) return true;
            if (t.equals("false") || t.equals("0") || t.equals("no")) return false;
            throw new InvalidFieldException(prefix + name, t, "true or false");
        }

        /** A size in units of {@code unitBytes} (decimals allowed), as whole bytes. */
        long bytes(String name, long unitBytes, long dflt, boolean zeroAllowed) {
            if (!has(name)) return dflt;
            String t = values.apply(name).trim();
            double v;
            try {
                v = Inputs.parseNumber(t);
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            double max = 1e6;
            long bytes = Math.round(v * unitBytes);
            // a capacity so small it rounds to 0 bytes is refused here, by its option name, not later as
            // deviceMemoryBytes
            if (!(v >= 0 && v <= max) || (!zeroAllowed && bytes == 0))
                throw new InvalidFieldException(
                        prefix + name,
                        t,
                        "a number " + (zeroAllowed ? ">= 0" : "> 0") + " and <= " + (long) max
                                + (zeroAllowed ? "" : ", at least one byte"));
            return bytes;
        }
    }
}
