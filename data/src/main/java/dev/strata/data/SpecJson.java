package dev.strata.data;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.model.Attention;
import dev.strata.model.DenseMlp;
import dev.strata.model.FeedForward;
import dev.strata.model.GatedMlp;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.Mlp;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NoFeedForward;
import dev.strata.model.NoMixer;
import dev.strata.model.SelectiveStateSpaceMixer;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;

/**
 * strata's own JSON form of a {@link TransformerSpec}: the record components by name, with a {@code "type"} on the
 * sealed attention and feed-forward kinds ({@code multiHead}, {@code latent}, {@code linear}, {@code stateSpace},
 * {@code none}; {@code dense}, {@code gated}, {@code moe}, {@code none}). This is what the reference-stack harness
 * reads to build the same model in PyTorch, and what a
 * user may write by hand for an architecture no Hugging Face family covers.
 */
public final class SpecJson {
    private SpecJson() {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = MultiHeadAttention.class, name = "multiHead"),
        @JsonSubTypes.Type(value = LatentAttention.class, name = "latent"),
        @JsonSubTypes.Type(value = LinearAttention.class, name = "linear"),
        @JsonSubTypes.Type(value = StateSpaceMixer.class, name = "stateSpace"),
        @JsonSubTypes.Type(value = SelectiveStateSpaceMixer.class, name = "selectiveStateSpace"),
        @JsonSubTypes.Type(value = NoMixer.class, name = "none")
    })
    private interface AttentionMixin {}

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = DenseMlp.class, name = "dense"),
        @JsonSubTypes.Type(value = GatedMlp.class, name = "gated"),
        @JsonSubTypes.Type(value = MixtureOfExperts.class, name = "moe"),
        @JsonSubTypes.Type(value = NoFeedForward.class, name = "none")
    })
    private interface FeedForwardMixin {}

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS) // isSliding(), isMixtureOfExperts() are derived, not fields
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(Attention.class, AttentionMixin.class)
            .addMixIn(FeedForward.class, FeedForwardMixin.class)
            .addMixIn(Mlp.class, FeedForwardMixin.class)
            .build();

    /**
     * The spec as JSON text.
     *
     * @param spec the spec
     * @return the JSON text
     */
    public static String write(TransformerSpec spec) {
        try {
            return MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The spec as a JSON tree.
     *
     * @param spec the spec
     * @return the JSON tree
     */
    public static JsonNode tree(TransformerSpec spec) {
        return MAPPER.valueToTree(spec);
    }

    /**
     * Whether a JSON object looks like a strata spec rather than a Hugging Face config.
     *
     * @param node a JSON value
     * @return true for an object with {@code hiddenSize} and {@code layers} and no {@code model_type}
     */
    public static boolean isSpec(JsonNode node) {
        return node != null
                && node.isObject()
                && !node.has("model_type")
                && node.has("hiddenSize")
                && node.has("layers");
    }

    /**
     * A copy of {@code node} with the defaults of fields added after specs were first written: a state-space mixer
     * without {@code outputBias} takes its {@code projectionBias} for both projections, and without {@code gatedNorm}
     * has the gated norm (Mamba-2's and Nemotron-H's). Absent booleans would otherwise read as false.
     */
    private static JsonNode withDefaults(JsonNode node) {
        JsonNode copy = node.deepCopy();
        for (JsonNode mixer : copy.findParents("type")) {
            if (mixer instanceof ObjectNode o
                    && "stateSpace".equals(o.path("type").asText())) {
                if (!o.has("outputBias") && o.has("projectionBias")) o.set("outputBias", o.get("projectionBias"));
                if (!o.has("gatedNorm")) o.put("gatedNorm", true);
            }
        }
        return copy;
    }

    /**
     * Reads a spec; the spec's own validation names any bad field, other errors name the JSON path.
     *
     * @param node the JSON object
     * @return the spec
     */
    public static TransformerSpec read(JsonNode node) {
        try {
            return MAPPER.treeToValue(withDefaults(node), TransformerSpec.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidFieldException f) throw f;
            String path =
                    e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "spec";
            throw InvalidFieldException.withMessage(
                    "spec",
                    "spec JSON is not valid at " + path.replaceAll("dev\\.strata\\.model\\.", "") + ": "
                            + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
    }
}
