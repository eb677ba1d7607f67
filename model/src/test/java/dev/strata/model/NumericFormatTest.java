package dev.strata.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NumericFormatTest {

    @Test
    void plainFormatsTakeTheirWidthInBytes() {
        // IEEE 754 / bfloat16 / 8-bit widths; exact
        assertThat(NumericFormat.FP32.bytesFor(1000)).isEqualTo(4000);
        assertThat(NumericFormat.BF16.bytesFor(1000)).isEqualTo(2000);
        assertThat(NumericFormat.FP16.bytesFor(1000)).isEqualTo(2000);
        assertThat(NumericFormat.FP8.bytesFor(1000)).isEqualTo(1000);
        assertThat(NumericFormat.INT8.bytesFor(1000)).isEqualTo(1000);
    }

    @Test
    void int4WithGroup128AndFp16ScalesIs4Point125BitsExactly() {
        // 4 bits + one 2-byte scale per 128 elements: 128 x 4/8 + 2 = 66 bytes per group (GPTQ/AWQ layout); exact
        assertThat(NumericFormat.INT4_G128.bytesFor(128)).isEqualTo(66);
        assertThat(NumericFormat.INT4_G128.bytesFor(4096L * 4096)).isEqualTo(4096L * 4096 / 128 * 66);
        assertThat(NumericFormat.INT4_G128.bitsPerElement()).isEqualTo(4.125);
        // a partial group still needs its scale: 129 elements = 65 bytes (rounded up) + 2 scales of 2 bytes
        assertThat(NumericFormat.INT4_G128.bytesFor(129)).isEqualTo(65 + 4);
    }

    @Test
    void qloraDoubleQuantisedNf4Is4Point127BitsPerParameter() {
        // QLoRA (arXiv:2305.14314) §3 "Double Quantization": 8/64 + 32/(64*256) = 0.127 bits per parameter on top of
        // the 4 bits; exact value 4 + 0.125 + 0.001953125 = 4.126953125
        assertThat(NumericFormat.NF4_DQ.bitsPerElement()).isEqualTo(4.126953125);
        // one super-block of 64 x 256 = 16384 elements: 8192 data bytes + 256 int8 absmax + one fp32 scale; exact
        assertThat(NumericFormat.NF4_DQ.bytesFor(16384)).isEqualTo(8192 + 256 + 4);
        // without double quantisation, QLoRA §3: 32/64 = 0.5 bits of fp32 absmax per parameter
        assertThat(NumericFormat.NF4.bitsPerElement()).isEqualTo(4.5);
    }

    @Test
    void parsesTheDocumentedIds() {
        assertThat(NumericFormat.parse("--kv", "bf16")).isSameAs(NumericFormat.BF16);
        assertThat(NumericFormat.parse("--kv", "FP8")).isSameAs(NumericFormat.FP8);
        assertThat(NumericFormat.parse("--kv", "int4-g64")).isEqualTo(NumericFormat.int4(64, 2));
        assertThat(NumericFormat.parse("--kv", "int4-g32-s4").bitsPerElement()).isEqualTo(4 + 32.0 / 32);
        assertThat(NumericFormat.parse("--weights", "nf4-dq")).isSameAs(NumericFormat.NF4_DQ);
        // --weights int4 is the documented shorthand for int4-g128 with fp16 scales
        assertThat(NumericFormat.parseWeights("--weights", "int4")).isEqualTo(NumericFormat.INT4_G128);
    }

    @Test
    void anInt4FormatWithoutAGroupSizeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> NumericFormat.parse("--kv", "int4"))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("--kv = \"int4\" is not allowed")
                .hasMessageContaining("int4-g<group>")
                .extracting(e -> ((InvalidFieldException) e).field())
                .isEqualTo("--kv");
        assertThatThrownBy(() -> new NumericFormat("int4", 4, false, 0, 0, 0, 0))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("format.groupSize = 0")
                .hasMessageContaining("need a group size");
    }

    @Test
    void unknownAndMalformedIdsAreRefused() {
        assertThatThrownBy(() -> NumericFormat.parse("--weights", "fp64")).hasMessageContaining("one of fp32, bf16");
        assertThatThrownBy(() -> NumericFormat.parse("--kv", "int4-g0")).hasMessageContaining("group 1 to");
        assertThatThrownBy(() -> NumericFormat.parse("--kv", "int4-gx")).hasMessageContaining("one of fp32");
        assertThatThrownBy(() -> NumericFormat.BF16.bytesFor(-1)).isInstanceOf(InvalidFieldException.class);
    }
}
