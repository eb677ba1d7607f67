package dev.strata.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.model.internal.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerSpecTest {
    private static final Attention MHA = MultiHeadAttention.of(8, 8, 64);
    private static final FeedForward MLP = new GatedMlp(1024, Activation.SILU, false);

    @Test
    void aBuiltSpecKeepsItsLayersInOrder() {
        TransformerSpec spec = TransformerSpec.builder()
                .name("tiny")
                .vocabSize(1000)
                .hiddenSize(512)
                .layers(2, LayerKind.global(MHA, MLP))
                .layers(3, new LayerKind(MHA, 128, MLP))
                .build();
        assertThat(spec.layerCount()).isEqualTo(5);
        assertThat(spec.layers()).hasSize(2);
        assertThat(spec.lastLayerKind().slidingWindow()).isEqualTo(128);
        assertThat(spec.isMixtureOfExperts()).isFalse();
    }

    @Test
    void zeroOrNegativeSizesAreRejectedNamingTheField() {
        assertThatThrownBy(() -> TransformerSpec.builder()
                        .vocabSize(1000)
                        .hiddenSize(0)
                        .layers(1, LayerKind.global(MHA, MLP))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hiddenSize = 0 is not allowed: must be an integer from 1 to 4194304");
        assertThatThrownBy(() -> TransformerSpec.builder()
                        .vocabSize(-5)
                        .hiddenSize(64)
                        .layers(1, LayerKind.global(MHA, MLP))
                        .build())
                .hasMessageStartingWith("vocabSize = -5 is not allowed");
        assertThatThrownBy(() -> new GatedMlp(0, Activation.SILU, false))
                .hasMessageStartingWith("feedForward.intermediateSize = 0");
        assertThatThrownBy(() -> new LayerGroup(0, LayerKind.global(MHA, MLP)))
                .hasMessageStartingWith("layers.count = 0");
    }

    @Test
    void aSpecNeedsAtLeastOneLayer() {
        assertThatThrownBy(() ->
                        TransformerSpec.builder().vocabSize(10).hiddenSize(8).build())
                .isInstanceOf(InvalidFieldException.class)
                .hasMessageContaining("layers")
                .hasMessageContaining("at least one layer");
    }

    @Test
    void kvHeadsMustDivideHeads() {
        assertThatThrownBy(() -> MultiHeadAttention.of(32, 6, 128))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("attention.kvHeads = 6 is not allowed: must be a divisor of attention.heads = 32");
        assertThatThrownBy(() -> MultiHeadAttention.of(8, 16, 128)).hasMessageStartingWith("attention.kvHeads = 16");
        assertThat(((InvalidFieldException) catchThrown(() -> MultiHeadAttention.of(32, 6, 128))).field())
                .isEqualTo("attention.kvHeads");
    }

    @Test
    void headSizeMayDifferFromHiddenOverHeads() {
        // Gemma 2 9B: hidden 3584, 16 heads of 256 (= 4096, not 3584).
        var gemma = MultiHeadAttention.of(16, 8, 256);
        assertThat(gemma.queryWidth()).isEqualTo(4096);
        assertThat(gemma.kvWidth()).isEqualTo(2048);
    }

    @Test
    void topKCannotExceedTheExperts() {
        var expert = new GatedMlp(14336, Activation.SILU, false);
        assertThatThrownBy(() -> new MixtureOfExperts(expert, 8, 0, 9, false))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage(
                        "feedForward.topK = 9 is not allowed: must be an integer from 1 to feedForward.routedExperts = 8");
        assertThatThrownBy(() -> new MixtureOfExperts(expert, 8, 0, 0, false))
                .hasMessageStartingWith("feedForward.topK = 0");
    }

    @Test
    void rmsNormHasNoBias() {
        assertThatThrownBy(() -> new Norms(NormKind.RMS_NORM, true, 2, true))
                .hasMessageStartingWith("norms.bias = true");
        assertThat(Norms.gpt2().paramsFor(768)).isEqualTo(1536); // LayerNorm weight + bias
        assertThat(Norms.llama().paramsFor(4096)).isEqualTo(4096); // RMSNorm weight only
    }

    @Test
    void latentAttentionCachesTheLatentAndTheRotaryKey() {
        // DeepSeek-V3 config.json: kv_lora_rank 512, qk_rope_head_dim 64 -> 576 cached elements per token and layer.
        var mla = new LatentAttention(128, 1536, 512, 128, 64, 128);
        assertThat(mla.cachedWidth()).isEqualTo(576);
        assertThat(mla.scoreHeadDim()).isEqualTo(192);
        assertThatThrownBy(() -> new LatentAttention(128, 1536, 0, 128, 64, 128))
                .hasMessageStartingWith("attention.kvLoraRank = 0");
    }

    @Test
    void negativeSlidingWindowAndHugeLayerCountsAreRejected() {
        assertThatThrownBy(() -> new LayerKind(MHA, -1, MLP)).hasMessageStartingWith("slidingWindow = -1");
        assertThatThrownBy(() -> new TransformerSpec(
                        "x",
                        10,
                        8,
                        List.of(
                                new LayerGroup(Limits.MAX_LAYERS, LayerKind.global(MHA, MLP)),
                                new LayerGroup(1, LayerKind.global(MHA, MLP))),
                        Norms.llama(),
                        PositionEncoding.ROTARY,
                        false,
                        16,
                        0))
                .hasMessageStartingWith("layers = 100001 is not allowed");
    }

    @Test
    void messagesStayOnOneLineAndTruncateLongValues() {
        var e = new InvalidFieldException("name", "a\nb" + "x".repeat(200), "short");
        assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(140);
    }

    private static Throwable catchThrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("nothing thrown");
    }
}
