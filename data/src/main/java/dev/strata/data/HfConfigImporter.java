package dev.strata.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.model.Activation;
import dev.strata.model.Attention;
import dev.strata.model.DenseMlp;
import dev.strata.model.FeedForward;
import dev.strata.model.GatedMlp;
import dev.strata.model.InvalidFieldException;
import dev.strata.model.LatentAttention;
import dev.strata.model.LayerGroup;
import dev.strata.model.LayerKind;
import dev.strata.model.Limits;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NormKind;
import dev.strata.model.Norms;
import dev.strata.model.PositionEncoding;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.TransformerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a Hugging Face {@code config.json} into a {@link TransformerSpec}, offline. The mapping of Hugging Face keys
 * to spec fields lives here and nowhere else. Architecture facts per {@code model_type} are those of
 * docs/architecture.md ("Architecture facts"), taken from the Hugging Face transformers implementations (modeling_gpt2, modeling_llama,
 * modeling_mistral, modeling_mixtral, modeling_qwen2, modeling_qwen3, modeling_gemma2, modeling_phi3,
 * modeling_deepseek_v3). A JSON object in strata's own spec form ({@link SpecJson}) is accepted too.
 */
public final class HfConfigImporter {
    /** The {@code model_type} values this importer understands. */
    public static final List<String> SUPPORTED_MODEL_TYPES =
            List.of("gpt2", "llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma2", "phi3", "deepseek_v3");

    /** Largest config.json accepted, in bytes (real ones are a few kilobytes). */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HfConfigImporter() {}

    /** Reads and imports a config.json file; the spec is named after the file unless the config names itself. */
    public static TransformerSpec fromFile(Path path) {
        String text;
        try {
            if (Files.size(path) > MAX_CONFIG_BYTES)
                throw new InvalidFieldException(
                        "model", path.toString(), "a config.json of at most " + MAX_CONFIG_BYTES + " bytes");
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(
                    "model", path.toString(), "a preset id or the path of an existing config.json");
        } catch (IOException e) {
            throw new InvalidFieldException(
                    "model", path.toString(), "a readable config.json (" + e.getMessage() + ")");
        }
        String file = path.getFileName() == null ? "config" : path.getFileName().toString();
        return fromJson(text, file.endsWith(".json") ? file.substring(0, file.length() - 5) : file);
    }

    /** Parses and imports config.json text; a leading byte-order mark (as some Windows editors save) is skipped. */
    public static TransformerSpec fromJson(String json, String name) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json.startsWith("\uFEFF") ? json.substring(1) : json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw InvalidFieldException.withMessage(
                    "config",
                    "config is not valid JSON" + where + ": "
                            + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        return fromNode(node, name);
    }

    /** Imports a parsed config.json object. */
    public static TransformerSpec fromNode(JsonNode node, String name) {
        if (node == null || !node.isObject())
            throw new InvalidFieldException(
                    "config",
                    node == null || node.isMissingNode()
                            ? "empty"
                            : node.getNodeType().toString().toLowerCase(Locale.ROOT),
                    "a JSON object (the contents of config.json)");
        if (SpecJson.isSpec(node)) return SpecJson.read(node); // strata's own spec JSON
        ConfigKeys keys = new ConfigKeys(node);
        String type = keys.optionalText("model_type", null);
        if (type == null)
            throw InvalidFieldException.withMessage(
                    "model_type",
                    "config key model_type is missing: it must be one of " + String.join(", ", SUPPORTED_MODEL_TYPES));
        String specName = keys.optionalText("_name_or_path", name);
        return switch (type) {
            case "gpt2" -> gpt2(keys, specName);
            case "llama", "mistral", "mixtral", "qwen2", "qwen3", "phi3" -> llamaFamily(keys, type, specName);
            case "gemma2" -> gemma2(keys, specName);
            case "deepseek_v3" -> deepseekV3(keys, specName);
            default ->
                throw new InvalidFieldException(
                        "model_type", type, "one of " + String.join(", ", SUPPORTED_MODEL_TYPES));
        };
    }

    /** GPT-2: LayerNorm with bias, fused c_attn with bias, 4d GELU MLP with biases, learned positions, tied head. */
    private static TransformerSpec gpt2(ConfigKeys k, String name) {
        int d = k.requiredInt("n_embd", 1, Limits.MAX_WIDTH);
        int heads = k.requiredInt("n_head", 1, Limits.MAX_HEADS);
        if (d % heads != 0) throw new InvalidFieldException("n_head", heads, "a divisor of n_embd = " + d);
        int inner = k.optionalInt("n_inner", 4 * d, 1, Limits.MAX_WIDTH);
        int positions = k.optionalInt(
                "n_positions", k.optionalInt("n_ctx", 1024, 1, Limits.MAX_CONTEXT), 1, Limits.MAX_CONTEXT);
        var attention = new MultiHeadAttention(heads, heads, d / heads, ProjectionBiases.ALL, false);
        var mlp = new DenseMlp(inner, activation(k.optionalText("activation_function", "gelu_new")), true);
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                List.of(new LayerGroup(
                        k.requiredInt("n_layer", 1, Limits.MAX_LAYERS), LayerKind.global(attention, mlp))),
                Norms.gpt2(),
                PositionEncoding.LEARNED,
                k.optionalBool("tie_word_embeddings", true),
                positions,
                0);
    }

    /** Llama and its close relatives (Mistral, Mixtral, Qwen2, Qwen3, Phi-3). */
    private static TransformerSpec llamaFamily(ConfigKeys k, String type, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        Attention attention = groupedAttention(
                k,
                d,
                type.equals("qwen3") ? 128 : 0,
                switch (type) {
                    case "qwen2" -> ProjectionBiases.QKV;
                    case "phi3" -> ProjectionBiases.NONE;
                    default -> k.optionalBool("attention_bias", false) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
                },
                type.equals("qwen3"));
        Activation act = activation(k.optionalText("hidden_act", "silu"));
        boolean mlpBias = !type.equals("phi3") && k.optionalBool("mlp_bias", false);
        var mlp = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, mlpBias);
        FeedForward ff = mlp;
        if (type.equals("mixtral")) {
            int experts = k.requiredInt("num_local_experts", 1, Limits.MAX_EXPERTS);
            ff = new MixtureOfExperts(mlp, experts, 0, topK(k, experts), false);
        }
        List<LayerGroup> groups = new ArrayList<>();
        int window = k.optionalIntOrZero("sliding_window", 0, Limits.MAX_CONTEXT);
        if (type.equals("qwen2") || type.equals("qwen3")) {
            // Qwen2/Qwen3: sliding window only when use_sliding_window, and only on layers >= max_window_layers.
            int from = k.optionalInt("max_window_layers", layers, 0, Limits.MAX_LAYERS);
            if (!k.optionalBool("use_sliding_window", false) || window == 0 || from >= layers) {
                groups.add(new LayerGroup(layers, LayerKind.global(attention, ff)));
            } else {
                if (from > 0) groups.add(new LayerGroup(from, LayerKind.global(attention, ff)));
                groups.add(new LayerGroup(layers - from, new LayerKind(attention, window, ff)));
            }
        } else {
            groups.add(new LayerGroup(layers, new LayerKind(attention, type.equals("llama") ? 0 : window, ff)));
        }
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                groups,
                Norms.llama(),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                0);
    }

    /** Gemma 2: explicit head_dim, tied head, four RMSNorms per layer, GeGLU, even layers local (sliding), odd global. */
    private static TransformerSpec gemma2(ConfigKeys k, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        Attention attention = groupedAttention(
                k,
                d,
                256,
                k.optionalBool("attention_bias", false) ? ProjectionBiases.ALL : ProjectionBiases.NONE,
                false);
        var mlp = new GatedMlp(
                k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                activation(k.optionalText("hidden_activation", k.optionalText("hidden_act", "gelu_pytorch_tanh"))),
                false);
        int window = k.optionalInt("sliding_window", 4096, 1, Limits.MAX_CONTEXT);
        List<LayerGroup> groups = new ArrayList<>();
        // modeling_gemma2: is_sliding = not bool(layer_idx % 2)
        for (int i = 0; i < layers; i++)
            groups.add(new LayerGroup(1, new LayerKind(attention, i % 2 == 0 ? window : 0, mlp)));
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                groups,
                new Norms(NormKind.RMS_NORM, false, 4, true),
                PositionEncoding.ROTARY,
                true,
                k.optionalInt("max_position_embeddings", 8192, 1, Limits.MAX_CONTEXT),
                0);
    }

    /** DeepSeek-V3: MLA attention; first_k_dense_replace dense layers, then MoE with shared experts and a router bias. */
    private static TransformerSpec deepseekV3(ConfigKeys k, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        int heads = k.requiredInt("num_attention_heads", 1, Limits.MAX_HEADS);
        int nope = k.requiredInt("qk_nope_head_dim", 0, Limits.MAX_WIDTH);
        int rope = k.requiredInt("qk_rope_head_dim", 0, Limits.MAX_WIDTH);
        // LatentAttention refuses it too, but in its own field names: say it in the config's
        if (nope + rope < 1)
            throw new InvalidFieldException(
                    "qk_nope_head_dim",
                    nope,
                    "such that qk_nope_head_dim + qk_rope_head_dim >= 1 (qk_rope_head_dim = " + rope + ")");
        var attention = new LatentAttention(
                heads,
                k.optionalIntOrZero("q_lora_rank", 1, Limits.MAX_WIDTH),
                k.requiredInt("kv_lora_rank", 1, Limits.MAX_WIDTH),
                nope,
                rope,
                k.requiredInt("v_head_dim", 1, Limits.MAX_WIDTH));
        Activation act = activation(k.optionalText("hidden_act", "silu"));
        var dense = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
        int experts = k.requiredInt("n_routed_experts", 1, Limits.MAX_EXPERTS);
        var expert = new GatedMlp(k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, false);
        // e_score_correction_bias exists with topk_method noaux_tc (DeepSeek-V3's default).
        boolean routerBias = k.optionalText("topk_method", "noaux_tc").equals("noaux_tc");
        var moe = new MixtureOfExperts(
                expert,
                experts,
                k.optionalInt("n_shared_experts", 0, 0, Limits.MAX_EXPERTS),
                topK(k, experts),
                routerBias);
        int firstDense = k.optionalInt("first_k_dense_replace", 0, 0, layers);
        int freq = k.optionalInt("moe_layer_freq", 1, 1, Limits.MAX_LAYERS);
        List<LayerGroup> groups = new ArrayList<>();
        for (int i = 0;
                i < layers;
                i++) { // modeling_deepseek_v3: MoE where idx >= first_k_dense_replace and idx % moe_layer_freq == 0
            LayerKind kind = LayerKind.global(attention, i >= firstDense && i % freq == 0 ? moe : dense);
            LayerGroup last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (last != null && last.kind().equals(kind))
                groups.set(groups.size() - 1, new LayerGroup(last.count() + 1, kind));
            else groups.add(new LayerGroup(1, kind));
        }
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                groups,
                Norms.llama(),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                k.optionalIntOrZero("num_nextn_predict_layers", 0, 64));
    }

    /** Grouped-query attention from num_attention_heads, num_key_value_heads and head_dim (default hidden / heads). */
    private static Attention groupedAttention(
            ConfigKeys k, int d, int defaultHeadDim, ProjectionBiases biases, boolean qkNorm) {
        int heads = k.requiredInt("num_attention_heads", 1, Limits.MAX_HEADS);
        int kvHeads = k.optionalInt("num_key_value_heads", heads, 1, Limits.MAX_HEADS);
        if (kvHeads > heads || heads % kvHeads != 0)
            throw new InvalidFieldException(
                    "num_key_value_heads", kvHeads, "a divisor of num_attention_heads = " + heads);
        int headDim;
        if (k.has("head_dim")) headDim = k.requiredInt("head_dim", 1, Limits.MAX_WIDTH);
        else if (defaultHeadDim > 0) headDim = defaultHeadDim;
        else if (d % heads != 0)
            throw new InvalidFieldException(
                    "num_attention_heads",
                    heads,
                    "a divisor of hidden_size = " + d + " when the config gives no head_dim");
        else headDim = d / heads;
        return new MultiHeadAttention(heads, kvHeads, headDim, biases, qkNorm);
    }

    private static int topK(ConfigKeys k, int experts) {
        int topK = k.requiredInt("num_experts_per_tok", 1, Limits.MAX_EXPERTS);
        if (topK > experts)
            throw new InvalidFieldException(
                    "num_experts_per_tok", topK, "an integer from 1 to the number of experts, " + experts);
        return topK;
    }

    private static Activation activation(String name) {
        return switch (name) {
            case "gelu", "gelu_python" -> Activation.GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_tanh" -> Activation.GELU_TANH;
            case "silu", "swish" -> Activation.SILU;
            case "relu" -> Activation.RELU;
            case "relu2" -> Activation.RELU_SQUARED;
            default ->
                throw new InvalidFieldException(
                        "hidden_act", name, "one of gelu, gelu_new, gelu_pytorch_tanh, silu, swish, relu, relu2");
        };
    }
}
