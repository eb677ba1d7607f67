package dev.strata.model;

import dev.strata.model.internal.Checks;
import dev.strata.model.internal.Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only transformer, described exactly enough to count its parameters, FLOPs and memory.
 *
 * <p>Built from a preset, a Hugging Face {@code config.json} (module data) or in code with {@link #builder()}.
 * Every violation of a constraint throws {@link InvalidFieldException} naming the field, the value and what is allowed.
 *
 * @param name                        display name (free text)
 * @param vocabSize                   vocabulary size: rows of the token embedding and of the output head
 * @param hiddenSize                  residual-stream width d
 * @param layers                      the layers in order, as runs of identical layers (at least one)
 * @param norms                       kind and number of normalisation layers
 * @param positions                   position encoding; LEARNED adds a contextLength x hiddenSize table
 * @param tiedEmbeddings              whether the output head shares the token embedding's weights
 * @param contextLength               maximum sequence length the model was built for (rows of a learned table)
 * @param multiTokenPredictionModules DeepSeek-V3 multi-token-prediction modules; counted apart from the main model
 *                                    (docs/formulas.md, "Counting conventions"); 0 for most models
 * @param encoderParameters           parameters of encoders a multimodal checkpoint holds beside the language model
 *                                    (vision or audio tower and projector), counted exactly by the importer and
 *                                    reported apart from the language model; 0 for text-only models
 * @param outputHeadBias              whether the output head has a bias, one per vocabulary entry (Phi-3.5-MoE's
 *                                    lm_head_bias); only an untied head may
 */
public record TransformerSpec(
        String name,
        int vocabSize,
        int hiddenSize,
        List<LayerGroup> layers,
        Norms norms,
        PositionEncoding positions,
        boolean tiedEmbeddings,
        int contextLength,
        int multiTokenPredictionModules,
        long encoderParameters,
        boolean outputHeadBias) {

    /**
     * Checks the fields; an invalid one throws an {@link InvalidFieldException} naming it.
     *
     * @param name display name (free text)
     * @param vocabSize vocabulary size: rows of the token embedding and of the output head
     * @param hiddenSize residual-stream width d
     * @param layers the layers in order, as runs of identical layers (at least one)
     * @param norms kind and number of normalisation layers
     * @param positions position encoding; LEARNED adds a contextLength x hiddenSize table
     * @param tiedEmbeddings whether the output head shares the token embedding's weights
     * @param contextLength maximum sequence length the model was built for (rows of a learned table)
     * @param multiTokenPredictionModules DeepSeek-V3 multi-token-prediction modules; counted apart from the main model
     *     (docs/formulas.md, "Counting conventions"); 0 for most models
     * @param encoderParameters parameters of encoders a multimodal checkpoint holds beside the language model (vision
     *     or audio tower and projector), counted exactly by the importer and reported apart from the language model; 0
     *     for text-only models
     * @param outputHeadBias whether the output head has a bias, one per vocabulary entry (Phi-3.5-MoE's lm_head_bias);
     *     only an untied head may
     */
    public TransformerSpec {
        name = name == null || name.isBlank() ? "custom" : name;
        Checks.range("vocabSize", vocabSize, 1, Limits.MAX_VOCAB);
        Checks.range("hiddenSize", hiddenSize, 1, Limits.MAX_WIDTH);
        Checks.present("layers", layers);
        if (layers.isEmpty()) throw new InvalidFieldException("layers", "[]", "at least one layer");
        layers = List.copyOf(layers);
        long total = 0;
        for (LayerGroup g : layers) total += Checks.present("layers[]", g).count();
        Checks.range("layers", total, 1, Limits.MAX_LAYERS);
        Checks.present("norms", norms);
        Checks.present("positions", positions);
        Checks.range("contextLength", contextLength, 1, Limits.MAX_CONTEXT);
        Checks.range("multiTokenPredictionModules", multiTokenPredictionModules, 0, 64);
        Checks.range("encoderParameters", encoderParameters, 0, Limits.MAX_ENCODER_PARAMETERS);
        if (outputHeadBias && tiedEmbeddings)
            throw new InvalidFieldException("outputHeadBias", true, "false when tiedEmbeddings is true");
    }

    /**
     * A language model without encoders beside it.
     *
     * @param name display name (free text)
     * @param vocabSize vocabulary size
     * @param hiddenSize residual-stream width d
     * @param layers the layers in order, as runs of identical layers
     * @param norms kind and number of normalisation layers
     * @param positions position encoding
     * @param tiedEmbeddings whether the output head shares the token embedding's weights
     * @param contextLength maximum sequence length the model was built for
     * @param multiTokenPredictionModules DeepSeek-V3 multi-token-prediction modules; 0 for most models
     */
    public TransformerSpec(
            String name,
            int vocabSize,
            int hiddenSize,
            List<LayerGroup> layers,
            Norms norms,
            PositionEncoding positions,
            boolean tiedEmbeddings,
            int contextLength,
            int multiTokenPredictionModules) {
        this(
                name,
                vocabSize,
                hiddenSize,
                layers,
                norms,
                positions,
                tiedEmbeddings,
                contextLength,
                multiTokenPredictionModules,
                0,
                false);
    }

    /**
     * This spec with {@code parameters} of encoders beside the language model.
     *
     * @param parameters parameters of the encoders (vision or audio tower and projector)
     * @return a copy with those encoder parameters, every other field unchanged
     */
    public TransformerSpec withEncoderParameters(long parameters) {
        return new TransformerSpec(
                name,
                vocabSize,
                hiddenSize,
                layers,
                norms,
                positions,
                tiedEmbeddings,
                contextLength,
                multiTokenPredictionModules,
                parameters,
                outputHeadBias);
    }

    /**
     * Total number of transformer layers.
     *
     * @return the sum of the layer groups' counts
     */
    public int layerCount() {
        int n = 0;
        for (LayerGroup g : layers) n += g.count();
        return n;
    }

    /**
     * The kind of the last layer (the shape a DeepSeek MTP module repeats).
     *
     * @return the kind of the last layer group
     */
    public LayerKind lastLayerKind() {
        return layers.get(layers.size() - 1).kind();
    }

    /**
     * Whether any layer routes tokens to experts.
     *
     * @return whether a layer's feed-forward is a {@link MixtureOfExperts}
     */
    public boolean isMixtureOfExperts() {
        for (LayerGroup g : layers) if (g.kind().feedForward() instanceof MixtureOfExperts) return true;
        return false;
    }

    /**
     * This spec under another name.
     *
     * @param newName the display name
     * @return a copy under that name, every other field unchanged
     */
    public TransformerSpec withName(String newName) {
        return new TransformerSpec(
                newName,
                vocabSize,
                hiddenSize,
                layers,
                norms,
                positions,
                tiedEmbeddings,
                contextLength,
                multiTokenPredictionModules,
                encoderParameters,
                outputHeadBias);
    }

    /**
     * A builder with Llama-style defaults (RMSNorm x2 + final, rotary positions, untied, context 4096).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a spec step by step; {@link #build()} validates. */
    public static final class Builder {
        private String name = "custom";
        private int vocabSize;
        private int hiddenSize;
        private final List<LayerGroup> layers = new ArrayList<>();
        private Norms norms = Norms.llama();
        private PositionEncoding positions = PositionEncoding.ROTARY;
        private boolean tiedEmbeddings;
        private int contextLength = 4096;
        private int multiTokenPredictionModules;

        private Builder() {}

        /**
         * Display name (free text).
         *
         * @param v the name
         * @return this builder
         */
        public Builder name(String v) {
            name = v;
            return this;
        }

        /**
         * Vocabulary size.
         *
         * @param v rows of the token embedding and of the output head
         * @return this builder
         */
        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        /**
         * Residual-stream width d.
         *
         * @param v the hidden size
         * @return this builder
         */
        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }
        /**
         * Appends {@code count} layers of {@code kind}.
         *
         * @param count how many layers
         * @param kind their kind
         * @return this builder
         */
        public Builder layers(int count, LayerKind kind) {
            layers.add(new LayerGroup(count, kind));
            return this;
        }

        /**
         * Kind and number of normalisation layers; {@link Norms#llama()} unless set.
         *
         * @param v the norms
         * @return this builder
         */
        public Builder norms(Norms v) {
            norms = v;
            return this;
        }

        /**
         * Position encoding; rotary unless set.
         *
         * @param v the encoding
         * @return this builder
         */
        public Builder positions(PositionEncoding v) {
            positions = v;
            return this;
        }

        /**
         * Whether the output head shares the token embedding's weights; untied unless set.
         *
         * @param v true for a tied head
         * @return this builder
         */
        public Builder tiedEmbeddings(boolean v) {
            tiedEmbeddings = v;
            return this;
        }

        /**
         * Maximum sequence length the model was built for; 4096 unless set.
         *
         * @param v the context length in tokens
         * @return this builder
         */
        public Builder contextLength(int v) {
            contextLength = v;
            return this;
        }

        /**
         * DeepSeek-V3 multi-token-prediction modules; 0 unless set.
         *
         * @param v the number of modules
         * @return this builder
         */
        public Builder multiTokenPredictionModules(int v) {
            multiTokenPredictionModules = v;
            return this;
        }

        /**
         * The spec, checked as the record's constructor checks it.
         *
         * @return the spec
         */
        public TransformerSpec build() {
            return new TransformerSpec(
                    name,
                    vocabSize,
                    hiddenSize,
                    layers,
                    norms,
                    positions,
                    tiedEmbeddings,
                    contextLength,
                    multiTokenPredictionModules);
        }
    }
}
