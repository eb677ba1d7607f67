package dev.strata.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.NumericFormat;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The formats a checkpoint stores its weights in, as its config declares them: {@code quantization_config} (fp8 with
 * block scales, bitsandbytes, AWQ, GPTQ, MXFP4, compressed-tensors) with the modules it leaves unquantised, else
 * {@code torch_dtype}/{@code dtype}. Where only the routed experts are quantised (gpt-oss's MXFP4 experts; Kimi K2.5's
 * int4 experts, its attention, shared experts and dense MLPs ignored), the experts get a format of their own.
 *
 * @param weights       the layer matrices' format; null when the config says nothing strata can hold
 * @param expertWeights the routed experts' format; null when it is {@code weights}
 * @param source        where the formats were read, for the output; null when {@code weights} is
 * @param assumptions   what could not be held exactly (modules kept in 16 bits that the format cannot single out)
 */
record CheckpointFormat(NumericFormat weights, NumericFormat expertWeights, String source, List<String> assumptions) {
    CheckpointFormat {
        assumptions = List.copyOf(assumptions);
    }

    /** The formats {@code top} (or, for a multimodal wrapper, its {@code text}) declares for {@code spec}. */
    static CheckpointFormat of(ConfigKeys top, ConfigKeys text, TransformerSpec spec) {
        String dtype = top.optionalText("torch_dtype", top.optionalText("dtype", null));
        if (dtype == null && text != null) dtype = text.optionalText("torch_dtype", text.optionalText("dtype", null));
        NumericFormat base = dtype == null ? null : dtype(dtype);
        JsonNode q = top.object("quantization_config");
        if (q == null && text != null) q = text.object("quantization_config");
        if (q == null)
            return new CheckpointFormat(base, null, base == null ? null : "torch_dtype: " + dtype, List.of());
        List<String> assumptions = new ArrayList<>();
        NumericFormat unquantised = base;
        if (unquantised == null || !unquantised.floatingPoint() || unquantised.bits() < 16) {
            unquantised = NumericFormat.BF16;
            assumptions.add("torch_dtype absent: the weights the quantisation leaves alone are taken as bf16");
        }
        ConfigKeys qk = new ConfigKeys(q);
        String method = qk.optionalText("quant_method", "");
        NumericFormat format = null;
        String what = method;
        List<String> kept = List.of();
        boolean expertsOnly = false;
        switch (method) {
            case "fp8" -> {
                // DeepSeek-V3 / Kimi K2: e4m3 weights with one fp32 scale (weight_scale_inv) per 128 x 128 block
                List<Integer> block = qk.intList("weight_block_size", 1, Limits.MAX_WIDTH);
                format = block.size() == 2 ? fp8Blocks(block.get(0), block.get(1), 4) : NumericFormat.FP8;
                what = block.size() == 2
                        ? "fp8 with an fp32 scale per " + block.get(0) + " x " + block.get(1) + " block"
                        : "fp8";
                kept = qk.textList("modules_to_not_convert");
            }
            case "bitsandbytes" -> {
                if (qk.optionalBool("load_in_4bit", false)) {
                    if (qk.optionalText("bnb_4bit_quant_type", "fp4").equals("nf4"))
                        format = qk.optionalBool("bnb_4bit_use_double_quant", false)
                                ? NumericFormat.NF4_DQ
                                : NumericFormat.NF4;
                } else if (qk.optionalBool("load_in_8bit", false)) format = NumericFormat.INT8;
                what = "bitsandbytes " + (format == null ? "fp4" : format.id());
                kept = qk.textList("llm_int8_skip_modules");
            }
            case "awq", "gptq" -> {
                int bits = qk.optionalInt("bits", qk.optionalInt("w_bit", 4, 1, 16), 1, 16);
                int group = qk.optionalInt(
                        "group_size", qk.optionalInt("q_group_size", 128, 1, Limits.MAX_WIDTH), -1, Limits.MAX_WIDTH);
                if (bits == 4 && group > 0) {
                    format = NumericFormat.int4(group, 2);
                    what = method + " 4-bit, group " + group
                            + " (fp16 scales; the packed zero points, half a byte per group, are not counted)";
                } else if (bits == 8) {
                    format = NumericFormat.INT8;
                    what = method + " 8-bit";
                }
                kept = qk.textList("modules_to_not_convert");
            }
            case "mxfp4" -> {
                // transformers' Mxfp4HfQuantizer quantises only the experts (Mxfp4GptOssExperts): U8 blocks of 32 E2M1
                // values and one U8 E8M0 scale per block; their biases and everything else stay in torch_dtype
                format = NumericFormat.MXFP4;
                expertsOnly = true;
                what = "mxfp4";
            }
            case "compressed-tensors" -> {
                Scheme s = compressedTensors(qk);
                format = s.format();
                what = s.description();
                kept = qk.textList("ignore");
                expertsOnly = s.expertsOnly();
                assumptions.addAll(s.assumptions());
            }
            default -> {}
        }
        if (format == null) {
            assumptions.add("quantization_config (" + (method.isEmpty() ? "no quant_method" : method)
                    + ") is not a weight format strata can hold: weights are taken as " + unquantised.id()
                    + " unless --weights says otherwise");
            return new CheckpointFormat(null, null, null, assumptions);
        }
        Kept k = Kept.of(kept == null ? List.of() : kept);
        boolean moe = false, shared = false, dense = false;
        for (var g : spec.layers()) {
            if (g.kind().feedForward() instanceof MixtureOfExperts m) {
                moe = true;
                shared |= m.sharedExperts() > 0 || m.sharedExpertGate();
            } else if (g.kind().feedForward() instanceof dev.strata.model.Mlp) dense = true;
        }
        if (!moe && expertsOnly) {
            assumptions.add(what + " quantises experts, and this model has none: weights are " + unquantised.id());
            return new CheckpointFormat(unquantised, null, "torch_dtype: " + dtype, assumptions);
        }
        if (!moe && k.attention()) {
            assumptions.add("quantization_config keeps the attention unquantised: strata holds one format for the"
                    + " layer matrices of a model without experts, and counts the attention as " + format.id());
            return new CheckpointFormat(format, null, "quantization_config: " + what, assumptions);
        }
        if (expertsOnly || k.attention()) {
            // the matrices outside the routed experts stay unquantised when the attention does and so do the shared
            // experts and dense MLPs the model has
            if (!expertsOnly && ((shared && !k.shared()) || (dense && !k.dense())))
                assumptions.add("quantization_config keeps the attention unquantised but not "
                        + (shared && !k.shared() ? "the shared experts" : "the dense MLPs")
                        + ": those are taken as " + unquantised.id() + " too");
            if (!k.other().isEmpty())
                assumptions.add("modules kept unquantised " + k.other() + " are counted as " + format.id());
            return new CheckpointFormat(
                    unquantised,
                    format,
                    "quantization_config: " + what + " (routed experts); the rest " + unquantised.id(),
                    assumptions);
        }
        if (k.shared() || k.dense() || !k.other().isEmpty())
            assumptions.add("modules kept unquantised "
                    + (k.other().isEmpty() ? (k.shared() ? "(shared experts)" : "(dense MLPs)") : k.other())
                    + " are counted as " + format.id());
        return new CheckpointFormat(format, null, "quantization_config: " + what, assumptions);
    }

    private static NumericFormat dtype(String dtype) {
        return switch (dtype) {
            case "bfloat16" -> NumericFormat.BF16;
            case "float16" -> NumericFormat.FP16;
            case "float32" -> NumericFormat.FP32;
            default -> null;
        };
    }

    private static NumericFormat fp8Blocks(int rows, int columns, int scaleBytes) {
        long elements = (long) rows * columns;
        if (elements > Limits.MAX_WIDTH)
            throw new InvalidFieldException(
                    "weight_block_size", rows + " x " + columns, "blocks of at most " + Limits.MAX_WIDTH + " elements");
        return new NumericFormat(
                "fp8-b" + rows + "x" + columns + (scaleBytes == 4 ? "" : "-s" + scaleBytes),
                8,
                true,
                (int) elements,
                scaleBytes,
                0,
                0);
    }

    /** A compressed-tensors weight scheme: its format (null when none holds it), and whether it targets experts only. */
    private record Scheme(NumericFormat format, String description, boolean expertsOnly, List<String> assumptions) {}

    /**
     * The weight scheme of a compressed-tensors config (compressed-tensors' QuantizationArgs: type, num_bits, strategy
     * or group_size, block_structure, symmetric, scale_dtype; scales in the model's dtype unless scale_dtype says
     * otherwise, zero points only when asymmetric). Per strategy a weight [out, in] stores scales of [1] (tensor),
     * [out, 1] (channel), [out, in / group] (group) or [out / r, in / c] (block); NVFP4 an fp8 scale per 16 and an fp32
     * global scale, MXFP4 an E8M0 byte per 32.
     */
    private static Scheme compressedTensors(ConfigKeys qk) {
        JsonNode groups = qk.object("config_groups");
        List<String> assumptions = new ArrayList<>();
        if (groups == null || groups.isEmpty()) return new Scheme(null, "compressed-tensors", false, assumptions);
        NumericFormat format = null;
        String description = null;
        boolean expertsOnly = true;
        var names = groups.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode group = groups.get(name);
            JsonNode w = group.get("weights");
            if (w == null || w.isNull()) continue;
            ConfigKeys wk = new ConfigKeys(w);
            String type = wk.optionalText("type", "int");
            int bits = wk.optionalInt("num_bits", 8, 1, 64);
            JsonNode groupSizeNode = w.get("group_size");
            int groupSize = groupSizeNode == null || groupSizeNode.isNull()
                    ? 0
                    : wk.optionalInt("group_size", 0, -1, Limits.MAX_WIDTH);
            String strategy =
                    wk.optionalText("strategy", groupSize > 0 ? "group" : groupSize < 0 ? "channel" : "tensor");
            int scaleBytes = switch (wk.optionalText("scale_dtype", "bfloat16")) {
                case "float32", "torch.float32" -> 4;
                case "float8_e4m3fn", "torch.float8_e4m3fn", "uint8", "torch.uint8" -> 1;
                default -> 2;
            };
            boolean symmetric = wk.optionalBool("symmetric", true);
            NumericFormat f = null;
            String d = null;
            if (type.equals("float") && bits == 4 && groupSize == 16) {
                f = NumericFormat.NVFP4;
                d = "nvfp4";
            } else if (type.equals("float") && bits == 4 && groupSize == 32) {
                f = NumericFormat.MXFP4;
                d = "mxfp4";
            } else if (type.equals("float") && bits == 8) {
                List<Integer> block = wk.intList("block_structure", 1, Limits.MAX_WIDTH);
                if (strategy.equals("block") && block.size() == 2) {
                    f = fp8Blocks(block.get(0), block.get(1), scaleBytes);
                    d = "fp8 with a " + scaleBytes + "-byte scale per " + block.get(0) + " x " + block.get(1)
                            + " block";
                } else if (strategy.equals("tensor") || strategy.equals("channel")) {
                    f = NumericFormat.FP8;
                    d = "fp8, one scale per " + strategy;
                }
            } else if (type.equals("int") && bits == 8 && (strategy.equals("tensor") || strategy.equals("channel"))) {
                f = NumericFormat.INT8;
                d = "int8, one scale per " + strategy;
            } else if (type.equals("int") && bits < 8 && strategy.equals("group") && groupSize > 0) {
                f = bits == 4
                        ? NumericFormat.int4(groupSize, scaleBytes)
                        : new NumericFormat("int" + bits + "-g" + groupSize, bits, false, groupSize, scaleBytes, 0, 0);
                d = "int" + bits + ", group " + groupSize + ", " + scaleBytes + "-byte scales";
                if (!symmetric) d += " (the asymmetric zero points, packed, are not counted)";
            }
            if (f == null) {
                assumptions.add("compressed-tensors scheme " + name + " (" + type + " " + bits + "-bit, " + strategy
                        + ") is not a weight format strata can hold");
                return new Scheme(null, "compressed-tensors", false, assumptions);
            }
            if (format != null && !format.equals(f)) {
                assumptions.add("compressed-tensors schemes of several formats: every quantised weight is counted as "
                        + format.id());
                continue;
            }
            format = f;
            description = "compressed-tensors " + d;
            List<String> targets = new ConfigKeys(group).textList("targets");
            boolean experts = targets != null && !targets.isEmpty();
            if (targets != null)
                for (String t : targets) {
                    String lower = t.toLowerCase(Locale.ROOT);
                    experts &= lower.contains("experts") && !lower.contains("shared_expert");
                }
            expertsOnly &= experts;
        }
        return new Scheme(format, description, format != null && expertsOnly, assumptions);
    }

    /** The modules a quantisation leaves alone, by what strata can single out. */
    private record Kept(boolean attention, boolean shared, boolean dense, List<String> other) {
        static Kept of(List<String> names) {
            boolean attention = false, shared = false, dense = false;
            List<String> other = new ArrayList<>();
            for (String n : names) {
                String s = n.toLowerCase(Locale.ROOT);
                if (s.contains("shared_expert")) shared = true;
                else if (s.contains("attn") || s.contains("attention")) attention = true;
                else if (s.contains("embed")
                        || s.contains("lm_head")
                        || s.contains("norm")
                        || s.contains("router")
                        || s.matches(".*\\bgate$|.*\\.gate\\b.*|.*mlp\\.gate$")
                        || s.contains("vision")
                        || s.contains("visual")
                        || s.contains("mm_projector")
                        || s.contains("multi_modal")
                        || s.contains("audio")) {
                    // kept in 16 bits by strata too: embeddings, head, norms, routers, encoders
                } else if (s.contains("mlp") && !s.contains("experts")) dense = true;
                else other.add(n);
            }
            return new Kept(attention, shared, dense, other);
        }
    }
}
