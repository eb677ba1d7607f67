package dev.strata.estimator;

import dev.strata.model.Activation;
import dev.strata.model.DenseMlp;
import dev.strata.model.GatedMlp;
import dev.strata.model.Hardware;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerKind;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NormKind;
import dev.strata.model.Norms;
import dev.strata.model.PositionEncoding;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.TransformerSpec;

/**
 * Model shapes for the estimator tests, written out by hand (the estimator module cannot use the importer). Each
 * says where its numbers come from; the web tests check the same models through the importer.
 */
public final class TestModels {
    /**
     * NVIDIA H100 SXM5 80GB: dense bf16 989 TFLOP/s, 80 GB, 3.35 TB/s, NVLink 900 GB/s, PCIe 5 x16 128 GB/s, 700 W (NVIDIA
     * H100 datasheet; docs/architecture.md, "Accelerators"); USD 2.50 an hour is an assumed price.
     */
    public static final Hardware H100 = Hardware.builder("h100-sxm")
            .name("H100")
            .peakFlopsPerSecond("bf16", 989e12)
            .memoryBytes(80_000_000_000L)
            .memoryBandwidthBytesPerSecond(3.35e12)
            .scaleUpBandwidthBytesPerSecond(900e9)
            .hostLinkBytesPerSecond(128e9)
            .powerWatts(700)
            .pricePerHourUsd(2.5)
            .build();

    private TestModels() {}

    /** Llama-3-8B: testdata/hf-configs/llama-3-8b.json (hidden 4096, 32 layers, 32 heads, 8 KV heads, SwiGLU 14336, vocab 128256). */
    public static TransformerSpec llama3_8b() {
        return TransformerSpec.builder()
                .name("llama-3-8b")
                .vocabSize(128256)
                .hiddenSize(4096)
                .contextLength(8192)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 8, 128), new GatedMlp(14336, Activation.SILU, false)))
                .build();
    }

    /** Llama-2-7B: testdata/hf-configs/llama-2-7b.json (hidden 4096, 32 layers, MHA 32 heads, SwiGLU 11008, vocab 32000). */
    public static TransformerSpec llama2_7b() {
        return TransformerSpec.builder()
                .name("llama-2-7b")
                .vocabSize(32000)
                .hiddenSize(4096)
                .layers(
                        32,
                        LayerKind.global(
                                MultiHeadAttention.of(32, 32, 128), new GatedMlp(11008, Activation.SILU, false)))
                .build();
    }

    /** Mistral-7B-v0.1: testdata/hf-configs/mistral-7b-v0.1.json (Llama-3-8B's layer shape, vocab 32000, sliding window 4096). */
    public static TransformerSpec mistral7b() {
        return TransformerSpec.builder()
                .name("mistral-7b")
                .vocabSize(32000)
                .hiddenSize(4096)
                .contextLength(32768)
                .layers(
                        32,
                        new LayerKind(
                                MultiHeadAttention.of(32, 8, 128), 4096, new GatedMlp(14336, Activation.SILU, false)))
                .build();
    }

    /** Mixtral-8x7B: testdata/hf-configs/mixtral-8x7b-v0.1.json (Mistral's attention, 8 experts of 14336, top-2, no window). */
    public static TransformerSpec mixtral8x7b() {
        var moe = new MixtureOfExperts(new GatedMlp(14336, Activation.SILU, false), 8, 0, 2, false);
        return TransformerSpec.builder()
                .name("mixtral-8x7b")
                .vocabSize(32000)
                .hiddenSize(4096)
                .contextLength(32768)
                .layers(32, LayerKind.global(MultiHeadAttention.of(32, 8, 128), moe))
                .build();
    }

    /**
     * Gemma-2-9B (Hugging Face google/gemma-2-9b config.json: hidden 3584, 42 layers, 16 heads, 8 KV heads, head_dim
     * 256, GeGLU 14336, vocab 256000, sliding window 4096 on every other layer starting with the first, 4 norms per
     * layer, tied).
     */
    public static TransformerSpec gemma2_9b() {
        var attention = MultiHeadAttention.of(16, 8, 256);
        var mlp = new GatedMlp(14336, Activation.GELU_TANH, false);
        var b = TransformerSpec.builder()
                .name("gemma-2-9b")
                .vocabSize(256000)
                .hiddenSize(3584)
                .contextLength(8192)
                .norms(new Norms(NormKind.RMS_NORM, false, 4, true))
                .tiedEmbeddings(true);
        for (int i = 0; i < 21; i++)
            b.layers(1, new LayerKind(attention, 4096, mlp)).layers(1, LayerKind.global(attention, mlp));
        return b.build();
    }

    /**
     * DeepSeek-V3: testdata/hf-configs/deepseek-v3.json (hidden 7168, 61 layers, 128 heads, q_lora_rank 1536, kv_lora_rank
     * 512, nope 128, rope 64, v 128; first 3 layers dense 18432, then 256 routed + 1 shared experts of 2048, top-8,
     * router bias; vocab 129280).
     */
    public static TransformerSpec deepseekV3() {
        var mla = new LatentAttention(128, 1536, 512, 128, 64, 128);
        var moe = new MixtureOfExperts(new GatedMlp(2048, Activation.SILU, false), 256, 1, 8, true);
        return TransformerSpec.builder()
                .name("deepseek-v3")
                .vocabSize(129280)
                .hiddenSize(7168)
                .contextLength(163840)
                .layers(3, LayerKind.global(mla, new GatedMlp(18432, Activation.SILU, false)))
                .layers(58, LayerKind.global(mla, moe))
                .multiTokenPredictionModules(1)
                .build();
    }

    /**
     * GPT-3 175B (Brown et al. 2020, arXiv:2005.14165 Table 2.1: 96 layers, d_model 12288, 96 heads of 128, context
     * 2048; GPT-2 architecture: LayerNorm with bias, 4d GELU MLP with biases, learned positions, vocab 50257, tied).
     */
    public static TransformerSpec gpt3_175b() {
        var attention = new MultiHeadAttention(96, 96, 128, ProjectionBiases.ALL, false);
        return TransformerSpec.builder()
                .name("gpt3-175b")
                .vocabSize(50257)
                .hiddenSize(12288)
                .contextLength(2048)
                .norms(Norms.gpt2())
                .positions(PositionEncoding.LEARNED)
                .tiedEmbeddings(true)
                .layers(96, LayerKind.global(attention, new DenseMlp(4 * 12288, Activation.GELU, true)))
                .build();
    }

    /**
     * A Chinchilla-family model (Hoffmann et al. 2022, arXiv:2203.15556 Table A9 shapes: d_model, ffw_size, kv_size,
     * n_heads, n_layers; vocabulary 32,000 (§4 / App. F); relative positions, which carry no weights here; untied).
     */
    public static TransformerSpec chinchilla(int dModel, int ffwSize, int kvSize, int heads, int layers) {
        return TransformerSpec.builder()
                .name("chinchilla-" + dModel + "x" + layers)
                .vocabSize(32000)
                .hiddenSize(dModel)
                .contextLength(2048)
                .norms(new Norms(NormKind.RMS_NORM, false, 2, true))
                .positions(PositionEncoding.NONE)
                .layers(
                        layers,
                        LayerKind.global(
                                MultiHeadAttention.of(heads, heads, kvSize),
                                new DenseMlp(ffwSize, Activation.GELU, false)))
                .build();
    }

    /**
     * PaLM 540B (Chowdhery et al. 2022, arXiv:2204.02311 Table 1 and §2: 118 layers, d_model 18432, 48 heads of 256,
     * multi-query attention, SwiGLU with d_ff = 4 d_model, no biases, shared input/output embeddings, 256k vocabulary,
     * sequence length 2048).
     */
    public static TransformerSpec palm540b() {
        return TransformerSpec.builder()
                .name("palm-540b")
                .vocabSize(256000)
                .hiddenSize(18432)
                .contextLength(2048)
                .tiedEmbeddings(true)
                .layers(
                        118,
                        LayerKind.global(
                                MultiHeadAttention.of(48, 1, 256), new GatedMlp(4 * 18432, Activation.SILU, false)))
                .build();
    }
}
