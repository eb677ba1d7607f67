package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import dev.strata.model.internal.WholeNumbers;
import java.util.Locale;

/**
 * How one stored number is encoded, exactly enough to count bytes: {@code bits} per element, plus for block-quantised
 * formats one scale of {@code scaleBytes} per {@code groupSize} consecutive elements, plus optionally (QLoRA's double
 * quantisation) one second-level scale of {@code superScaleBytes} per {@code superGroupSize} groups.
 *
 * <p>Bytes for {@code n} elements: {@code ceil(n * bits / 8) + ceil(n / groupSize) * scaleBytes
 * + ceil(ceil(n / groupSize) / superGroupSize) * superScaleBytes} ({@link #bytesFor(long)}), so a 4-bit block format
 * is exact: int4 with group 128 and fp16 scales is 4 + 16/128 = 4.125 bits per element (GPTQ, Frantar et al. 2022,
 * arXiv:2210.17323 §5; AWQ, Lin et al. 2023, arXiv:2306.00978), NF4 with double quantisation is
 * 4 + 8/64 + 32/(64 x 256) = 4.127 bits (QLoRA, Dettmers et al. 2023, arXiv:2305.14314 §3).
 *
 * <p>Formats of 8 bits and more carry no group scales: int8 and fp8 checkpoints keep one scale per tensor or per
 * output channel, which is below 0.1 % of the bytes and not counted. Formats below 8 bits must have a group size.
 *
 * @param id              the id used on the command line ({@code bf16}, {@code int4-g128}, {@code nf4-dq})
 * @param bits            bits per element, 1 to 64
 * @param floatingPoint   whether the elements are floating-point numbers (trainable formats are)
 * @param groupSize       elements per block scale; 0 for formats without block scales
 * @param scaleBytes      bytes of each block scale (2 for an fp16 scale); 0 when {@code groupSize} is 0
 * @param superGroupSize  block scales per second-level scale (double quantisation); 0 for none
 * @param superScaleBytes bytes of each second-level scale; 0 when {@code superGroupSize} is 0
 */
public record NumericFormat(
        String id,
        int bits,
        boolean floatingPoint,
        int groupSize,
        int scaleBytes,
        int superGroupSize,
        int superScaleBytes) {
    /** IEEE 754 single precision. */
    public static final NumericFormat FP32 = new NumericFormat("fp32", 32, true, 0, 0, 0, 0);
    /** bfloat16. */
    public static final NumericFormat BF16 = new NumericFormat("bf16", 16, true, 0, 0, 0, 0);
    /** IEEE 754 half precision. */
    public static final NumericFormat FP16 = new NumericFormat("fp16", 16, true, 0, 0, 0, 0);
    /** 8-bit floating point (E4M3/E5M2, Micikevicius et al. 2022, arXiv:2209.05433); per-tensor scales not counted. */
    public static final NumericFormat FP8 = new NumericFormat("fp8", 8, true, 0, 0, 0, 0);
    /** 8-bit integer; per-tensor or per-channel scales not counted. */
    public static final NumericFormat INT8 = new NumericFormat("int8", 8, false, 0, 0, 0, 0);
    /**
     * OCP Microscaling MXFP4 (OCP MX specification v1.0, 2023): 4-bit E2M1 elements with one 8-bit E8M0 scale per 32,
     * 4.25 bits per element; gpt-oss's experts (blocks and scales as U8 tensors).
     */
    public static final NumericFormat MXFP4 = new NumericFormat("mxfp4", 4, false, 32, 1, 0, 0);
    /**
     * NVIDIA NVFP4: 4-bit E2M1 elements with one FP8 E4M3 scale per 16, 4.5 bits per element; the one fp32 global scale
     * per tensor is not counted (as per-tensor scales are not).
     */
    public static final NumericFormat NVFP4 = new NumericFormat("nvfp4", 4, false, 16, 1, 0, 0);
    /** The group size that plain {@code int4} means for weights: 128, the default of GPTQ and AWQ. */
    public static final int DEFAULT_INT4_GROUP = 128;
    /** 4-bit integer weights, one fp16 scale per 128 elements: 4.125 bits per element (what {@code --weights int4} means). */
    public static final NumericFormat INT4_G128 = int4(DEFAULT_INT4_GROUP, 2);
    /** QLoRA's NormalFloat4 (arXiv:2305.14314 §3) with one fp32 absmax per 64 elements: 4.5 bits per element. */
    public static final NumericFormat NF4 = new NumericFormat("nf4", 4, false, 64, 4, 0, 0);
    /**
     * NF4 with double quantisation (QLoRA §3, "Double Quantization"): an 8-bit absmax per 64 elements and an fp32
     * scale per 256 absmax values: 4 + 8/64 + 32/16384 = 4.127 bits per element. The QLoRA default.
     */
    public static final NumericFormat NF4_DQ = new NumericFormat("nf4-dq", 4, false, 64, 1, 256, 4);
    /**
     * 8-bit optimizer state of Dettmers et al. 2022 (arXiv:2110.02861 §2, block-wise quantisation): one byte per
     * element and an fp32 absmax per block of 2048.
     */
    public static final NumericFormat INT8_BLOCK_2048 = new NumericFormat("int8-g2048", 8, false, 2048, 4, 0, 0);

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param id the id used on the command line ({@code bf16}, {@code int4-g128}, {@code nf4-dq})
     * @param bits bits per element, 1 to 64
     * @param floatingPoint whether the elements are floating-point numbers (trainable formats are)
     * @param groupSize elements per block scale; 0 for formats without block scales
     * @param scaleBytes bytes of each block scale (2 for an fp16 scale); 0 when {@code groupSize} is 0
     * @param superGroupSize block scales per second-level scale (double quantisation); 0 for none
     * @param superScaleBytes bytes of each second-level scale; 0 when {@code superGroupSize} is 0
     */
    public NumericFormat {
        Checks.text("format.id", id);
        Checks.range("format.bits", bits, 1, 64);
        Checks.range("format.groupSize", groupSize, 0, Limits.MAX_WIDTH);
        Checks.range("format.scaleBytes", scaleBytes, 0, 16);
        Checks.range("format.superGroupSize", superGroupSize, 0, Limits.MAX_WIDTH);
        Checks.range("format.superScaleBytes", superScaleBytes, 0, 16);
        if (bits < 8 && groupSize == 0)
            throw new InvalidFieldException(
                    "format.groupSize",
                    groupSize,
                    "at least 1 for a " + bits + "-bit format (" + id
                            + "): sub-8-bit formats need a group size for their block scales");
        if ((groupSize == 0) != (scaleBytes == 0))
            throw new InvalidFieldException(
                    "format.scaleBytes", scaleBytes, "> 0 exactly when groupSize > 0 (groupSize = " + groupSize + ")");
        if ((superGroupSize == 0) != (superScaleBytes == 0))
            throw new InvalidFieldException(
                    "format.superScaleBytes", superScaleBytes, "> 0 exactly when superGroupSize > 0");
        if (superGroupSize > 0 && groupSize == 0)
            throw new InvalidFieldException(
                    "format.superGroupSize", superGroupSize, "0 when there are no block scales");
    }

    /**
     * A 4-bit integer format with one scale of {@code scaleBytes} per {@code groupSize} elements.
     *
     * @param groupSize elements per scale
     * @param scaleBytes bytes of each scale
     * @return the format, with the id {@code int4-g<groupSize>} (and {@code -s<scaleBytes>} when that is not 2)
     */
    public static NumericFormat int4(int groupSize, int scaleBytes) {
        String id = "int4-g" + groupSize + (scaleBytes == 2 ? "" : "-s" + scaleBytes);
        return new NumericFormat(id, 4, false, groupSize, scaleBytes, 0, 0);
    }

    /**
     * Bytes that {@code elements} numbers take, scales included (exact; see the class comment). Groups are counted
     * over the {@code elements} given, so callers pass one tensor (or one row of identical tensors) at a time.
     *
     * @param elements how many numbers
     * @return their bytes, rounded up to whole bytes and whole groups
     */
    public long bytesFor(long elements) {
        if (elements < 0) throw new InvalidFieldException("elements", elements, "an integer >= 0");
        long bytes = WholeNumbers.ceilDiv(Math.multiplyExact(elements, (long) bits), 8);
        if (groupSize > 0) {
            long groups = WholeNumbers.ceilDiv(elements, groupSize);
            bytes = Math.addExact(bytes, Math.multiplyExact(groups, (long) scaleBytes));
            if (superGroupSize > 0)
                bytes = Math.addExact(bytes, Math.multiplyExact(WholeNumbers.ceilDiv(groups, superGroupSize), (long)
                        superScaleBytes));
        }
        return bytes;
    }

    /**
     * Average bits per element with scales (4.125 for int4-g128); for display, never for counting bytes.
     *
     * @return bits per element, scales included
     */
    public double bitsPerElement() {
        double b = bits;
        if (groupSize > 0) {
            b += 8.0 * scaleBytes / groupSize;
            if (superGroupSize > 0) b += 8.0 * superScaleBytes / ((double) groupSize * superGroupSize);
        }
        return b;
    }

    /**
     * Average bytes per element with scales; for display.
     *
     * @return bytes per element, scales included
     */
    public double bytesPerElement() {
        return bitsPerElement() / 8;
    }

    /**
     * Whether this is a block-quantised or integer format (one that a model is not trained in).
     *
     * @return true for integer and block formats, false for fp32, bf16, fp16 and fp8
     */
    public boolean isQuantized() {
        return !floatingPoint;
    }

    /** The ids {@link #parse} accepts, for error messages and help. */
    public static final String IDS =
            "fp32, bf16, fp16, fp8, int8, int4-g<group> (4-bit, one fp16 scale per group, e.g. int4-g128), "
                    + "int4-g<group>-s<scale bytes>, nf4, nf4-dq, mxfp4, nvfp4";

    /**
     * Parses a format id: {@code fp32 bf16 fp16 fp8 int8 int4-g<group>[-s<scale bytes>] nf4 nf4-dq mxfp4 nvfp4}. A 4-bit integer
     * format needs its group size: plain {@code int4} is refused here (see {@link #parseWeights}).
     *
     * @param field the option or field the text came from, named in the error
     * @param text the format id
     * @return the format
     */
    public static NumericFormat parse(String field, String text) {
        if (text == null || text.isBlank()) throw new InvalidFieldException(field, text, "one of " + IDS);
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "fp32":
                return FP32;
            case "bf16":
                return BF16;
            case "fp16":
                return FP16;
            case "fp8":
                return FP8;
            case "int8":
                return INT8;
            case "nf4":
                return NF4;
            case "nf4-dq":
                return NF4_DQ;
            case "mxfp4":
                return MXFP4;
            case "nvfp4":
                return NVFP4;
            case "int4":
                throw new InvalidFieldException(
                        field,
                        text,
                        "a 4-bit format with its group size, int4-g<group> (e.g. int4-g128: "
                                + "one fp16 scale per 128 elements), because the bytes depend on it");
            default:
                break;
        }
        if (t.startsWith("int4-g")) {
            String rest = t.substring("int4-g".length());
            int dash = rest.indexOf("-s");
            String group = dash < 0 ? rest : rest.substring(0, dash);
            String scale = dash < 0 ? "2" : rest.substring(dash + 2);
            if (group.matches("[0-9]{1,8}") && scale.matches("[0-9]{1,2}")) {
                int g = Integer.parseInt(group);
                int s = Integer.parseInt(scale);
                if (g >= 1 && g <= Limits.MAX_WIDTH && s >= 1 && s <= 16) return int4(g, s);
                throw new InvalidFieldException(
                        field,
                        text,
                        "int4-g<group>[-s<scale bytes>] with group 1 to " + Limits.MAX_WIDTH
                                + " and scale bytes 1 to 16");
            }
        }
        throw new InvalidFieldException(field, text, "one of " + IDS);
    }

    /**
     * Parses a weight format: like {@link #parse}, and plain {@code int4} means {@link #INT4_G128} (4-bit weights with
     * one fp16 scale per 128 elements, the GPTQ/AWQ default; docs/architecture.md, "Contracts", lists {@code int4} among the format ids).
     *
     * @param field the option or field the text came from, named in the error
     * @param text the format id
     * @return the format
     */
    public static NumericFormat parseWeights(String field, String text) {
        if (text != null && text.trim().equalsIgnoreCase("int4")) return INT4_G128;
        return parse(field, text);
    }

    @Override
    public String toString() {
        return id;
    }
}
