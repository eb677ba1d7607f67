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
import dev.strata.model.LinearAttention;
import dev.strata.model.MixtureOfExperts;
import dev.strata.model.MultiHeadAttention;
import dev.strata.model.NoFeedForward;
import dev.strata.model.NoMixer;
import dev.strata.model.NormKind;
import dev.strata.model.Norms;
import dev.strata.model.NumericFormat;
import dev.strata.model.PositionEncoding;
import dev.strata.model.ProjectionBiases;
import dev.strata.model.SelectiveStateSpaceMixer;
import dev.strata.model.StateSpaceMixer;
import dev.strata.model.TransformerSpec;
import dev.strata.model.internal.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Hugging Face {@code config.json} into a {@link TransformerSpec}, offline. The mapping of Hugging Face keys
 * to spec fields lives here and nowhere else. Architecture facts per {@code model_type} are those of the Hugging Face
 * transformers implementations ({@code configuration_<type>.py} for the defaults of absent keys,
 * {@code modeling_<type>.py} for the weights), summarised in docs/architecture.md ("Architecture facts"). A multimodal
 * wrapper ({@code text_config}) is imported as its language model. A {@code model_type} without a family here imports
 * through the standard keys when it has them ({@link #importNode}: the result lists what was assumed). A JSON object in
 * strata's own spec form ({@link SpecJson}) is accepted too.
 */
public final class HfConfigImporter {
    /** The {@code model_type} values this importer maps exactly. */
    public static final List<String> SUPPORTED_MODEL_TYPES = List.of(
            "gpt2",
            "llama",
            "mistral",
            "ministral3",
            "mixtral",
            "qwen2",
            "qwen2_moe",
            "qwen3",
            "qwen3_moe",
            "gemma",
            "gemma2",
            "gemma3",
            "gemma3_text",
            "phi3",
            "phimoe",
            "granite",
            "granitemoe",
            "granitemoeshared",
            "olmo2",
            "olmo3",
            "smollm3",
            "exaone4",
            "cohere",
            "cohere2",
            "starcoder2",
            "gpt_neox",
            "internlm2",
            "gpt_oss",
            "minimax_m2",
            "glm4_moe",
            "llama4",
            "llama4_text",
            "mistral3",
            "deepseek_v2",
            "deepseek_v3",
            "kimi_k2",
            "kimi_k25",
            "qwen3_next",
            "nemotron_h",
            "deepseek_v32",
            "falcon",
            "falcon_h1",
            "qwen3_5",
            "qwen3_5_text",
            "qwen3_5_moe",
            "qwen3_5_moe_text",
            "glm_moe_dsa",
            "jamba");

    /** Largest config.json accepted, in bytes (real ones are a few kilobytes). */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HfConfigImporter() {}

    /**
     * An imported config: the spec, the family it was read as, every assumption the import made (empty when the
     * family's own mapping read every key it needs), the checkpoint's weight format, its routed experts' format where
     * only those are quantised (null otherwise), and where they were read (null when the config names none), and what
     * the checkpoint's safetensors hold (null without them).
     *
     * @param spec the spec
     * @param family the family it was read as: the config's {@code model_type} ({@code strata spec} for a strata spec)
     * @param assumptions every assumption the import made
     * @param weights the checkpoint's weight format, or null when the config names none
     * @param expertWeights the routed experts' format where only those are quantised, or null
     * @param weightsSource where the weight formats were read, or null
     * @param checkpoint what the checkpoint's safetensors or GGUF tensors hold, or null
     */
    public record Imported(
            TransformerSpec spec,
            String family,
            List<String> assumptions,
            NumericFormat weights,
            NumericFormat expertWeights,
            String weightsSource,
            CheckpointCount checkpoint) {
        /**
         * Copies the assumptions.
         *
         * @param spec the spec
         * @param family the family it was read as: the config's {@code model_type} ({@code strata spec} for a strata
         *     spec)
         * @param assumptions every assumption the import made
         * @param weights the checkpoint's weight format, or null when the config names none
         * @param expertWeights the routed experts' format where only those are quantised, or null
         * @param weightsSource where the weight formats were read, or null
         * @param checkpoint what the checkpoint's safetensors or GGUF tensors hold, or null
         */
        public Imported {
            assumptions = List.copyOf(assumptions);
        }

        /**
         * An import that says nothing of the checkpoint's weight format or tensors.
         *
         * @param spec the spec
         * @param family the family it was read as
         * @param assumptions every assumption the import made
         */
        public Imported(TransformerSpec spec, String family, List<String> assumptions) {
            this(spec, family, assumptions, null, null, null, null);
        }

        /**
         * This import with what its checkpoint folder's safetensors hold.
         *
         * @param c the checkpoint's count
         * @return a copy with that count
         */
        public Imported withCheckpoint(CheckpointCount c) {
            return new Imported(spec, family, assumptions, weights, expertWeights, weightsSource, c);
        }
    }

    /** GGUF architectures ({@code general.architecture}) and the Hugging Face family each is read as. */
    private static final Map<String, String> GGUF_FAMILIES = Map.ofEntries(
            Map.entry("llama", "llama"),
            Map.entry("mistral", "llama"),
            Map.entry("qwen2", "qwen2"),
            Map.entry("qwen3", "qwen3"),
            Map.entry("qwen2moe", "qwen2_moe"),
            Map.entry("qwen3moe", "qwen3_moe"),
            Map.entry("gemma", "gemma"),
            Map.entry("gemma2", "gemma2"),
            Map.entry("gemma3", "gemma3_text"),
            Map.entry("phi3", "phi3"),
            Map.entry("granite", "granite"),
            Map.entry("olmo2", "olmo2"),
            Map.entry("starcoder2", "starcoder2"));

    /**
     * Imports a GGUF file (llama.cpp): its metadata read as the Hugging Face config keys they stand for
     * ({@code <arch>.embedding_length} as hidden_size, {@code block_count}, {@code attention.head_count},
     * {@code head_count_kv}, {@code key_length}, {@code feed_forward_length}, {@code context_length},
     * {@code expert_count}, {@code expert_used_count}, {@code expert_feed_forward_length},
     * {@code attention.sliding_window}; the vocabulary and tying from the token embedding and output tensors), its
     * tensors counted exactly ({@link Imported#checkpoint()}: parameters and bytes by ggml type), and the ggml type
     * most of its layer weights are stored in as the weight format where strata has one for it.
     *
     * @param file the GGUF file
     * @param name the spec's name
     * @return the spec, the assumptions and the tensors' count
     */
    public static Imported importGguf(Path file, String name) {
        return gguf(Gguf.read(file), "model", "GGUF file " + file, name).imported();
    }

    /**
     * A GGUF import and the config.json its metadata stands for (the keys {@link #importGguf} reads, with
     * {@code _name_or_path}): importing that config gives the same spec, without the tensors' count.
     *
     * @param imported the import, with the tensors counted
     * @param config the config.json the metadata stands for
     */
    public record GgufImport(Imported imported, com.fasterxml.jackson.databind.node.ObjectNode config) {}

    /**
     * As {@link #importGguf(Path, String)} from the first bytes of a GGUF file: only its header is read, so a file cut
     * after the header does as well as the whole one.
     *
     * @param in the file's bytes from its start
     * @param field the field errors name
     * @param source what the bytes are, for errors ("GGUF file model.gguf")
     * @param name the spec's name
     * @return the import and the config.json its metadata stands for
     */
    public static GgufImport importGguf(java.io.InputStream in, String field, String source, String name) {
        return gguf(Gguf.read(in, field, source), field, source, name);
    }

    private static GgufImport gguf(Gguf.Header h, String field, String source, String name) {
        String arch = h.metadata().get("general.architecture") instanceof String a ? a : null;
        if (arch == null) throw InvalidFieldException.withMessage(field, source + " has no general.architecture");
        com.fasterxml.jackson.databind.node.ObjectNode c = MAPPER.createObjectNode();
        String family = GGUF_FAMILIES.getOrDefault(arch, arch);
        c.put("model_type", family);
        String[][] keys = {
            {"embedding_length", "hidden_size"},
            {"block_count", "num_hidden_layers"},
            {"attention.head_count", "num_attention_heads"},
            {"attention.head_count_kv", "num_key_value_heads"},
            {"attention.key_length", "head_dim"},
            {"feed_forward_length", "intermediate_size"},
            {"context_length", "max_position_embeddings"},
            {
                "expert_count",
                family.equals("qwen3_moe") || family.equals("qwen2_moe") ? "num_experts" : "num_local_experts"
            },
            {"expert_used_count", "num_experts_per_tok"},
            {"expert_feed_forward_length", "moe_intermediate_size"},
            {"expert_shared_feed_forward_length", "shared_expert_intermediate_size"},
            {"attention.sliding_window", "sliding_window"}
        };
        for (String[] k : keys)
            if (h.metadata().get(arch + "." + k[0]) instanceof Long v && v <= Integer.MAX_VALUE)
                c.put(k[1], v.intValue());
        Map<String, Safetensors.Tensor> byName = new LinkedHashMap<>();
        for (Safetensors.Tensor t : h.tensors()) byName.put(t.name(), t);
        Safetensors.Tensor embedding = byName.get("token_embd.weight");
        if (embedding != null
                && embedding.shape().size() == 2
                && embedding.shape().get(1) <= Integer.MAX_VALUE)
            c.put("vocab_size", embedding.shape().get(1).intValue()); // ggml dimensions: [hidden, vocabulary]
        else if (h.metadata().get("tokenizer.ggml.tokens") instanceof List<?> tokens)
            c.put("vocab_size", tokens.size());
        c.put("tie_word_embeddings", !byName.containsKey("output.weight"));
        if (byName.containsKey("blk.0.attn_q.bias") && byName.containsKey("blk.0.attn_output.bias"))
            c.put("attention_bias", true);
        Imported i = importNode(c, name);
        List<String> assumptions = new ArrayList<>(i.assumptions());
        assumptions.add("read from GGUF metadata (general.architecture " + arch + ")");
        // the ggml type most layer-weight elements are stored in, as the weight format where strata has one
        Map<String, Long> byType = new java.util.TreeMap<>();
        for (Safetensors.Tensor t : h.tensors())
            if (t.name().startsWith("blk.") && t.shape().size() >= 2) byType.merge(t.dtype(), t.elements(), Long::sum);
        String main = byType.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(null);
        NumericFormat weights = main == null ? null : ggmlFormat(main);
        String weightsSource = null;
        if (weights != null) {
            weightsSource = "GGUF: " + main
                    + (byType.size() > 1
                            ? " (most layer weights; the file mixes " + byType.keySet()
                                    + ", its exact bytes are checkpoint.bytes)"
                            : "");
        } else if (main != null)
            assumptions.add(
                    "GGUF layer weights mostly " + main + ", a type strata holds no weight format for: weights"
                            + " are taken as 16-bit unless --weights says otherwise; the file's exact bytes are checkpoint.bytes");
        com.fasterxml.jackson.databind.node.ObjectNode config = MAPPER.createObjectNode();
        config.put("_name_or_path", name);
        config.setAll(c);
        return new GgufImport(
                new Imported(
                        i.spec(),
                        i.family(),
                        assumptions,
                        weights,
                        null,
                        weightsSource,
                        CheckpointCount.of(h.tensors(), i.spec().layerCount())),
                config);
    }

    /**
     * The weight format of a ggml type, where one holds it exactly: each block's quantised values plus its scales as
     * one block scale (Q4_K: 4 bits and 16 bytes per 256, 4.5 bits a weight; Q8_0: 8 bits and 2 bytes per 32).
     */
    static NumericFormat ggmlFormat(String type) {
        for (Gguf.Block b : Gguf.BLOCKS.values()) {
            if (!b.name().equals(type)) continue;
            return switch (type) {
                case "F32" -> NumericFormat.FP32;
                case "F16" -> NumericFormat.FP16;
                case "BF16" -> NumericFormat.BF16;
                default -> {
                    int bits = switch (type) {
                        case "Q4_0", "Q4_1", "Q4_K", "IQ4_NL", "IQ4_XS", "MXFP4" -> 4;
                        case "Q5_0", "Q5_1", "Q5_K" -> 5;
                        case "Q6_K" -> 6;
                        case "Q8_0", "Q8_1", "Q8_K" -> 8;
                        case "Q3_K", "IQ3_XXS", "IQ3_S" -> 3;
                        case "Q2_K", "IQ2_XXS", "IQ2_XS", "IQ2_S" -> 2;
                        default -> 0;
                    };
                    int scaleBytes = b.bytes() - b.elements() * bits / 8;
                    yield bits == 0 || scaleBytes < 0
                            ? null
                            : new NumericFormat(
                                    type.toLowerCase(Locale.ROOT), bits, false, b.elements(), scaleBytes, 0, 0);
                }
            };
        }
        return null;
    }

    /**
     * Imports a Hugging Face snapshot folder: its config.json (the spec named {@code name}) and, when the folder has
     * safetensors, what their headers hold ({@link Imported#checkpoint()}).
     *
     * @param dir the snapshot folder
     * @param name the spec's name
     * @return the spec, the assumptions and, with safetensors, their count
     */
    public static Imported importFolder(Path dir, String name) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config))
            throw new InvalidFieldException(
                    "model", dir.toString(), "a folder with a config.json (a Hugging Face snapshot)");
        Imported i = importJson(readConfig(config), name);
        List<Safetensors.Tensor> tensors = Safetensors.readCheckpoint(dir);
        return tensors.isEmpty()
                ? i
                : i.withCheckpoint(CheckpointCount.of(tensors, i.spec().layerCount()));
    }

    /** {@code i} with the weight formats its checkpoint's config declares ({@link CheckpointFormat}). */
    private static Imported withCheckpointFormat(Imported i, ConfigKeys top, ConfigKeys text) {
        CheckpointFormat f = CheckpointFormat.of(top, text, i.spec());
        List<String> assumptions = new ArrayList<>(i.assumptions());
        assumptions.addAll(f.assumptions());
        return new Imported(i.spec(), i.family(), assumptions, f.weights(), f.expertWeights(), f.source(), null);
    }

    /**
     * Reads and imports a config.json file; the spec is named after the file unless the config names itself.
     *
     * @param path the config.json file
     * @return the spec
     */
    public static TransformerSpec fromFile(Path path) {
        return importFile(path).spec();
    }

    /**
     * Reads and imports a config.json file, with what the import assumed.
     *
     * @param path the config.json file
     * @return the spec, the family and the assumptions
     */
    public static Imported importFile(Path path) {
        String file = path.getFileName() == null ? "config" : path.getFileName().toString();
        return importJson(readConfig(path), file.endsWith(".json") ? file.substring(0, file.length() - 5) : file);
    }

    /** The text of a config.json file, at most {@link #MAX_CONFIG_BYTES}; errors name the path. */
    private static String readConfig(Path path) {
        try {
            return UserFile.read(path, "model", MAX_CONFIG_BYTES, "a config.json");
        } catch (NoSuchFileException e) {
            throw new InvalidFieldException(
                    "model", path.toString(), "a preset id or the path of an existing config.json");
        } catch (IOException e) {
            throw new InvalidFieldException(
                    "model", path.toString(), "a readable config.json (" + e.getMessage() + ")");
        }
    }

    /**
     * Parses and imports config.json text; a leading byte-order mark (as some Windows editors save) is skipped.
     *
     * @param json the config.json text
     * @param name the spec's name, unless the config names itself
     * @return the spec
     */
    public static TransformerSpec fromJson(String json, String name) {
        return importJson(json, name).spec();
    }

    /**
     * Parses and imports config.json text, with what the import assumed.
     *
     * @param json the config.json text
     * @param name the spec's name, unless the config names itself
     * @return the spec, the family and the assumptions
     */
    public static Imported importJson(String json, String name) {
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
        return importNode(node, name);
    }

    /**
     * Imports a parsed config.json object.
     *
     * @param node the config object
     * @param name the spec's name, unless the config names itself
     * @return the spec
     */
    public static TransformerSpec fromNode(JsonNode node, String name) {
        return importNode(node, name).spec();
    }

    /**
     * Imports a parsed config.json object, with the family it was read as and what the import assumed.
     *
     * @param node the config object
     * @param name the spec's name, unless the config names itself
     * @return the spec, the family and the assumptions
     */
    public static Imported importNode(JsonNode node, String name) {
        if (node == null || !node.isObject())
            throw new InvalidFieldException(
                    "config",
                    node == null || node.isMissingNode()
                            ? "empty"
                            : node.getNodeType().toString().toLowerCase(Locale.ROOT),
                    "a JSON object (the contents of config.json)");
        if (SpecJson.isSpec(node)) return new Imported(SpecJson.read(node), "strata spec", List.of());
        ConfigKeys top = new ConfigKeys(node);
        String type = family(top);
        String specName = top.optionalText("_name_or_path", name);
        List<String> assumptions = new ArrayList<>();
        ConfigKeys k = top;
        JsonNode text = top.object("text_config");
        long encoder = 0;
        if (text != null && MULTIMODAL.containsKey(type)) {
            // the language model of a multimodal checkpoint, and its vision tower and projector where strata knows them
            ConfigKeys textKeys = new ConfigKeys(text);
            String textType = textKeys.optionalText("model_type", MULTIMODAL.get(type));
            k = textKeys.withFallback(top, "tie_word_embeddings");
            if (TEXT_DEFAULTS.containsKey(textType))
                k = k.withDefaults(TEXT_DEFAULTS.get(textType), TEXT_CLASSES.get(textType), assumptions);
            encoder = visionEncoder(top, type, k, assumptions);
            type = textType;
        }
        TransformerSpec spec = switch (type) {
            case "gpt2" -> gpt2(k, specName);
            case "deepseek_v2", "deepseek_v3", "deepseek_v32", "kimi_k2", "glm_moe_dsa" -> deepseek(k, type, specName);
            case "qwen3_next" -> {
                assumptions.add("one multi-token-prediction block (mtp.*), which Qwen3-Next checkpoints hold and the"
                        + " config does not count, is counted apart from the main model");
                yield qwen3Next(k, type, specName);
            }
            case "qwen3_5_text", "qwen3_5_moe_text" -> {
                if (!k.has("mtp_num_hidden_layers"))
                    assumptions.add("mtp_num_hidden_layers absent: no multi-token-prediction block counted");
                yield qwen3Next(k, type, specName);
            }
            case "nemotron_h" -> nemotronH(k, specName, assumptions);
            case "falcon" -> falcon(k, specName);
            case "falcon_h1" -> falconH1(k, specName, assumptions);
            case "jamba" -> jamba(k, specName);
            default -> {
                if (!SUPPORTED_MODEL_TYPES.contains(type)) {
                    assumptions.addAll(generic(k, type));
                    yield decoder(k, "generic", specName);
                }
                yield decoder(k, type, specName);
            }
        };
        return withCheckpointFormat(
                new Imported(encoder > 0 ? spec.withEncoderParameters(encoder) : spec, type, assumptions),
                top,
                text == null ? null : new ConfigKeys(text));
    }

    /**
     * Text-config defaults that multimodal checkpoints leave to the configuration class (Gemma 3's config.json gives
     * only a few text keys): configuration_gemma3.Gemma3TextConfig, configuration_qwen3_5.Qwen3_5TextConfig and
     * configuration_qwen3_5_moe.Qwen3_5MoeTextConfig.
     */
    private static final Map<String, Map<String, Integer>> TEXT_DEFAULTS = Map.of(
            "gemma3_text",
            Map.of(
                    "vocab_size", 262_208,
                    "hidden_size", 2304,
                    "intermediate_size", 9216,
                    "num_hidden_layers", 26,
                    "num_attention_heads", 8,
                    "num_key_value_heads", 4,
                    "head_dim", 256,
                    "max_position_embeddings", 131_072),
            "qwen3_5_text",
            Map.of(
                    "vocab_size", 248_320,
                    "hidden_size", 4096,
                    "intermediate_size", 12_288,
                    "num_hidden_layers", 32,
                    "num_attention_heads", 16,
                    "num_key_value_heads", 4,
                    "head_dim", 256),
            "qwen3_5_moe_text",
            Map.of(
                    "vocab_size", 248_320,
                    "hidden_size", 2048,
                    "num_hidden_layers", 40,
                    "num_attention_heads", 16,
                    "num_key_value_heads", 2,
                    "head_dim", 256,
                    "num_experts", 256,
                    "num_experts_per_tok", 8,
                    "moe_intermediate_size", 512,
                    "shared_expert_intermediate_size", 512));

    private static final Map<String, String> TEXT_CLASSES = Map.of(
            "gemma3_text", "Gemma3TextConfig",
            "qwen3_5_text", "Qwen3_5TextConfig",
            "qwen3_5_moe_text", "Qwen3_5MoeTextConfig");

    /**
     * Parameters of the vision tower and projector of a multimodal checkpoint, exactly, where strata knows the tower
     * (SigLIP, as Gemma 3 uses it; Llama 4's; Pixtral, as Mistral 3 uses it; Qwen3.5's; Kimi K2.5's MoonViT);
     * otherwise 0, with an assumption saying the tower is not counted.
     */
    private static long visionEncoder(ConfigKeys top, String type, ConfigKeys text, List<String> assumptions) {
        JsonNode vision = top.object("vision_config");
        String visionType =
                vision == null ? null : new ConfigKeys(vision, "vision_config.").optionalText("model_type", null);
        if (type.equals("gemma3") && "siglip_vision_model".equals(visionType)) {
            ConfigKeys v = new ConfigKeys(vision, "vision_config.");
            long h = v.optionalInt("hidden_size", 768, 1, Limits.MAX_WIDTH);
            long tower = siglip(v);
            // modeling_gemma3.Gemma3MultiModalProjector: mm_input_projection_weight (vision hidden x text hidden) and
            // mm_soft_emb_norm, an RMSNorm over the vision hidden size
            long projector = h * text.requiredInt("hidden_size", 1, Limits.MAX_WIDTH) + h;
            return Math.addExact(tower, projector);
        }
        if (type.equals("llama4") && vision != null)
            return llama4Vision(new ConfigKeys(vision, "vision_config."), text);
        if (type.equals("mistral3") && (vision == null || visionType == null || visionType.equals("pixtral")))
            return mistral3Vision(top, vision, text);
        if ((type.equals("qwen3_5") || type.equals("qwen3_5_moe")) && vision != null)
            return qwen35Vision(new ConfigKeys(vision, "vision_config."), text);
        if (type.equals("kimi_k25") && vision != null)
            return kimiK25Vision(top, new ConfigKeys(vision, "vision_config."), text);
        assumptions.add("the " + type + " checkpoint's vision tower"
                + (visionType == null ? "" : " (" + visionType + ")")
                + " and projector are not counted: only its language model is");
        return 0;
    }

    /**
     * Llama 4's vision model and projector (modeling_llama4; absent keys take Llama4VisionConfig's defaults): the
     * patch embedding a Linear(channels x patch x patch -> h) without bias, a class embedding and a learned position per
     * patch and for the class token, LayerNorms with bias before and after, per layer q/k/v/o and a GELU MLP with
     * biases and two LayerNorms with bias, the pixel-shuffle adapter (fc1 intermediate -> projector_input_dim, fc2
     * projector_output_dim -> projector_output_dim, no biases) and the projector vision_output_dim -> text hidden.
     */
    private static long llama4Vision(ConfigKeys v, ConfigKeys text) {
        long h = v.optionalInt("hidden_size", 768, 1, Limits.MAX_WIDTH);
        long inter = v.optionalInt("intermediate_size", 5632, 1, Limits.MAX_WIDTH);
        long layers = v.optionalInt("num_hidden_layers", 34, 1, Limits.MAX_LAYERS);
        long channels = v.optionalInt("num_channels", 3, 1, 64);
        long image = v.optionalInt("image_size", 448, 1, 1 << 16);
        long patch = v.optionalInt("patch_size", 14, 1, 1 << 16);
        long projectorIn = v.optionalInt("projector_input_dim", 4096, 1, Limits.MAX_WIDTH);
        long projectorOut = v.optionalInt("projector_output_dim", 4096, 1, Limits.MAX_WIDTH);
        long visionOut = v.optionalInt("vision_output_dim", 7680, 1, Limits.MAX_WIDTH);
        long side = image / patch;
        long layer = 4 * (h * h + h) + (h * inter + inter) + (inter * h + h) + 2 * (2 * h);
        long tower = channels * patch * patch * h
                + h
                + (side * side + 1) * h
                + 2 * (2 * h)
                + Math.multiplyExact(layers, layer)
                + inter * projectorIn
                + projectorOut * projectorOut;
        return Math.addExact(tower, visionOut * text.requiredInt("hidden_size", 1, Limits.MAX_WIDTH));
    }

    /**
     * Mistral 3's Pixtral tower and projector (modeling_pixtral.PixtralVisionModel, modeling_mistral3; absent keys take
     * PixtralVisionConfig's and Mistral3Config's defaults, and without a vision_config the one Mistral3Config builds,
     * patch 14): a patch Conv2d without bias, an RMSNorm before the layers, per layer two RMSNorms, q/k/v/o without
     * biases (head size is hidden / heads whatever head_dim says) and a gated MLP without biases; rotary positions
     * without weights. The projector: an RMSNorm over the vision width, the patch merger (hidden x merge^2 -> hidden, no
     * bias), linear_1 (hidden x feature layers -> text hidden) and linear_2 (text hidden -> text hidden), with biases
     * by multimodal_projector_bias.
     */
    private static long mistral3Vision(ConfigKeys top, JsonNode vision, ConfigKeys text) {
        ConfigKeys v = new ConfigKeys(vision == null ? MAPPER.createObjectNode() : vision, "vision_config.");
        long h = v.optionalInt("hidden_size", 1024, 1, Limits.MAX_WIDTH);
        long inter = v.optionalInt("intermediate_size", 4096, 1, Limits.MAX_WIDTH);
        long layers = v.optionalInt("num_hidden_layers", 24, 1, Limits.MAX_LAYERS);
        long channels = v.optionalInt("num_channels", 3, 1, 64);
        long patch = v.optionalInt("patch_size", vision == null ? 14 : 16, 1, 1 << 12);
        long merge = top.optionalInt("spatial_merge_size", 2, 1, 64);
        JsonNode featureLayer = top.node().get("vision_feature_layer");
        long features = featureLayer != null && featureLayer.isArray() ? Math.max(1, featureLayer.size()) : 1;
        boolean bias = top.optionalBool("multimodal_projector_bias", false);
        long t = text.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        long layer = 2 * h + 4 * h * h + 3 * h * inter;
        long tower = channels * patch * patch * h + h + Math.multiplyExact(layers, layer);
        long projector = h + merge * merge * h * h + features * h * t + t * t + (bias ? 2 * t : 0);
        return Math.addExact(tower, projector);
    }

    /**
     * Qwen3.5's vision model (modeling_qwen3_5.Qwen3_5VisionModel; absent keys take Qwen3_5VisionConfig's defaults):
     * a Conv3d patch embedding (channels x temporal patch x patch x patch -> hidden) with bias, a learned position
     * table of num_position_embeddings, per block two LayerNorms, a fused qkv and a proj with biases and an MLP
     * (linear_fc1, linear_fc2) with biases; the merger a LayerNorm over the vision width and two linears with biases
     * (hidden x merge^2 -> the same, then -> out_hidden_size). No deepstack mergers (Qwen3-VL's).
     */
    private static long qwen35Vision(ConfigKeys v, ConfigKeys text) {
        long h = v.optionalInt("hidden_size", 1152, 1, Limits.MAX_WIDTH);
        long inter = v.optionalInt("intermediate_size", 4304, 1, Limits.MAX_WIDTH);
        long depth = v.optionalInt("depth", 27, 1, Limits.MAX_LAYERS);
        long channels = v.optionalInt("in_channels", 3, 1, 64);
        long patch = v.optionalInt("patch_size", 16, 1, 1 << 12);
        long temporal = v.optionalInt("temporal_patch_size", 2, 1, 64);
        long merge = v.optionalInt("spatial_merge_size", 2, 1, 64);
        long positions = v.optionalInt("num_position_embeddings", 2304, 1, 1 << 24);
        long out = v.optionalInt("out_hidden_size", 3584, 1, Limits.MAX_WIDTH);
        long block = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * inter + inter) + (inter * h + h);
        long tower = channels * temporal * patch * patch * h + h + positions * h + Math.multiplyExact(depth, block);
        long m = h * merge * merge;
        long merger = 2 * h + (m * m + m) + (m * out + out);
        return Math.addExact(tower, merger);
    }

    /**
     * Kimi K2.5's MoonViT tower and projector (modeling_kimi_k25; the Hub config names the tower's keys vt_* and
     * init_pos_emb_*, transformers' Kimi_K25VisionConfig hidden_size and pos_emb_*: both are read, the former first,
     * absent ones at the class's defaults): a patch Conv2d(3 -> hidden) with bias, a learned position grid, per layer
     * two LayerNorms, q/k/v and an output projection with biases and a GELU MLP with biases, a final LayerNorm; the
     * projector a LayerNorm over projection_hidden_size, a linear over the merged patches (hidden x kernel) and one to
     * the text width, with biases. The time embedding is a buffer, not a weight.
     */
    private static long kimiK25Vision(ConfigKeys top, ConfigKeys v, ConfigKeys text) {
        long h = v.optionalInt(
                "vt_hidden_size", v.optionalInt("hidden_size", 1152, 1, Limits.MAX_WIDTH), 1, Limits.MAX_WIDTH);
        long inter = v.optionalInt(
                "vt_intermediate_size",
                v.optionalInt("intermediate_size", 4304, 1, Limits.MAX_WIDTH),
                1,
                Limits.MAX_WIDTH);
        long layers = v.optionalInt(
                "vt_num_hidden_layers",
                v.optionalInt("num_hidden_layers", 27, 1, Limits.MAX_LAYERS),
                1,
                Limits.MAX_LAYERS);
        long patch = v.optionalInt("patch_size", 14, 1, 1 << 12);
        long height = v.optionalInt("init_pos_emb_height", v.optionalInt("pos_emb_height", 64, 1, 1 << 12), 1, 1 << 12);
        long width = v.optionalInt("init_pos_emb_width", v.optionalInt("pos_emb_width", 64, 1, 1 << 12), 1, 1 << 12);
        List<Integer> kernel = v.intList("merge_kernel_size", 1, 64);
        long merged = kernel.size() == 2 ? (long) kernel.get(0) * kernel.get(1) : 4;
        long norm = top.optionalInt(
                "projection_hidden_size",
                v.optionalInt("mm_hidden_size", 1152, 1, Limits.MAX_WIDTH),
                1,
                Limits.MAX_WIDTH);
        long t = text.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        long layer = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * inter + inter) + (inter * h + h);
        long tower = 3 * patch * patch * h + h + height * width * h + Math.multiplyExact(layers, layer) + 2 * h;
        long m = h * merged;
        long projector = 2 * norm + (m * m + m) + (m * t + t);
        return Math.addExact(tower, projector);
    }

    /**
     * A SigLIP vision tower (modeling_siglip.SiglipVisionTransformer; defaults of SiglipVisionConfig): patch
     * embedding Conv2d(channels, h, patch, patch) with bias, a learned position per patch, per layer two LayerNorms
     * with bias, q/k/v/o with biases and a GELU MLP with biases, a post LayerNorm, and the attention-pooling head when
     * vision_use_head (a probe, a multi-head attention with biases, a LayerNorm and an MLP).
     */
    private static long siglip(ConfigKeys v) {
        long h = v.optionalInt("hidden_size", 768, 1, Limits.MAX_WIDTH);
        long inter = v.optionalInt("intermediate_size", 3072, 1, Limits.MAX_WIDTH);
        long layers = v.optionalInt("num_hidden_layers", 12, 1, Limits.MAX_LAYERS);
        long channels = v.optionalInt("num_channels", 3, 1, 64);
        long image = v.optionalInt("image_size", 224, 1, 1 << 16);
        long patch = v.optionalInt("patch_size", 16, 1, 1 << 16);
        if (image % patch != 0)
            throw new InvalidFieldException("vision_config.patch_size", patch, "a divisor of image_size = " + image);
        long patches = (image / patch) * (image / patch);
        long mlp = h * inter + inter + inter * h + h;
        long layer = 2 * (2 * h) + 4 * (h * h + h) + mlp;
        long tower = channels * patch * patch * h + h + patches * h + Math.multiplyExact(layers, layer) + 2 * h;
        if (v.optionalBool("vision_use_head", true)) tower += h + (3 * h * h + 3 * h) + (h * h + h) + 2 * h + mlp;
        return tower;
    }

    /** Multimodal wrappers and the {@code model_type} their {@code text_config} has when it names none. */
    private static final Map<String, String> MULTIMODAL = Map.of(
            "gemma3", "gemma3_text",
            "llama4", "llama4_text",
            "mistral3", "mistral",
            "kimi_k25", "deepseek_v3",
            "qwen3_5", "qwen3_5_text",
            "qwen3_5_moe", "qwen3_5_moe_text");

    /**
     * The family of a config: its {@code model_type}, or, when it has none, the one its {@code architectures} entry
     * names (a config saved without the type). Kimi K2 declares {@code DeepseekV3ForCausalLM} under its own type and
     * is read as DeepSeek-V3.
     */
    private static String family(ConfigKeys k) {
        String type = k.optionalText("model_type", null);
        if (type != null) return type;
        List<String> arch = k.textList("architectures");
        if (arch != null)
            for (String a : arch) {
                String t = ARCHITECTURES.get(a);
                if (t != null) return t;
            }
        throw InvalidFieldException.withMessage(
                "model_type",
                "config key model_type is missing (and architectures names no known class): it must be one of "
                        + String.join(", ", SUPPORTED_MODEL_TYPES));
    }

    private static final Map<String, String> ARCHITECTURES = Map.ofEntries(
            Map.entry("GPT2LMHeadModel", "gpt2"),
            Map.entry("LlamaForCausalLM", "llama"),
            Map.entry("MistralForCausalLM", "mistral"),
            Map.entry("MixtralForCausalLM", "mixtral"),
            Map.entry("Qwen2ForCausalLM", "qwen2"),
            Map.entry("Qwen2MoeForCausalLM", "qwen2_moe"),
            Map.entry("Qwen3ForCausalLM", "qwen3"),
            Map.entry("Qwen3MoeForCausalLM", "qwen3_moe"),
            Map.entry("Gemma2ForCausalLM", "gemma2"),
            Map.entry("Gemma3ForCausalLM", "gemma3_text"),
            Map.entry("Gemma3ForConditionalGeneration", "gemma3"),
            Map.entry("Phi3ForCausalLM", "phi3"),
            Map.entry("DeepseekV2ForCausalLM", "deepseek_v2"),
            Map.entry("DeepseekV3ForCausalLM", "deepseek_v3"),
            Map.entry("DeepseekV32ForCausalLM", "deepseek_v32"),
            Map.entry("GlmMoeDsaForCausalLM", "glm_moe_dsa"),
            Map.entry("GptOssForCausalLM", "gpt_oss"),
            Map.entry("FalconForCausalLM", "falcon"),
            Map.entry("FalconH1ForCausalLM", "falcon_h1"),
            Map.entry("JambaForCausalLM", "jamba"),
            Map.entry("Olmo2ForCausalLM", "olmo2"),
            Map.entry("GraniteForCausalLM", "granite"),
            Map.entry("GraniteMoeForCausalLM", "granitemoe"),
            Map.entry("Llama4ForConditionalGeneration", "llama4"),
            Map.entry("Qwen3NextForCausalLM", "qwen3_next"),
            Map.entry("Qwen3_5ForConditionalGeneration", "qwen3_5"),
            Map.entry("Qwen3_5MoeForConditionalGeneration", "qwen3_5_moe"),
            Map.entry("KimiK25ForConditionalGeneration", "kimi_k25"),
            Map.entry("Mistral3ForConditionalGeneration", "mistral3"),
            Map.entry("NemotronHForCausalLM", "nemotron_h"));

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

    /**
     * The decoders that share the Llama layer (attention, then a gated, dense or MoE feed-forward) and differ in
     * biases, q/k norms, norm placement and count, head size defaults, which layers slide and which are MoE: each
     * difference as its family's configuration and modeling code state it.
     */
    private static TransformerSpec decoder(ConfigKeys k, String type, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        MultiHeadAttention attention = attention(k, type, d);
        FeedForward dense = denseFeedForward(k, type, d);
        List<LayerKind> kinds = new ArrayList<>(layers);
        int[] windows = windows(k, type, layers);
        for (int i = 0; i < layers; i++)
            kinds.add(new LayerKind(attention, windows[i], feedForward(k, type, i, layers, dense)));
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                runs(kinds),
                norms(type),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", TIED_BY_DEFAULT.contains(type)),
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                type.equals("glm4_moe") ? k.optionalIntOrZero("num_nextn_predict_layers", 0, 64) : 0,
                0,
                type.equals("phimoe") && k.optionalBool("lm_head_bias", false)); // modeling_phimoe: lm_head bias
    }

    /**
     * Qwen3-Next (modeling_qwen3_next): three Gated DeltaNet layers to one of gated full attention
     * ({@code full_attention_interval}, or {@code layer_types}), per-head q/k norms, and Qwen2-MoE's experts with a gated
     * shared expert; one multi-token-prediction block. Qwen3.5 (modeling_qwen3_5, the text model of
     * {@code qwen3_5}/{@code qwen3_5_moe}) has the same layers (its in_proj_qkv, in_proj_z, in_proj_b and in_proj_a hold
     * Qwen3-Next's in_proj_qkvz and in_proj_ba) with a dense MLP, or the experts, in every layer.
     */
    private static TransformerSpec qwen3Next(ConfigKeys k, String type, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        MultiHeadAttention plain = (MultiHeadAttention) groupedAttention(
                k,
                d,
                256,
                k.optionalBool("attention_bias", false) ? ProjectionBiases.ALL : ProjectionBiases.NONE,
                true);
        var full = new MultiHeadAttention(
                plain.heads(), plain.kvHeads(), plain.headDim(), plain.biases(), true, false, false, true);
        var linear = new LinearAttention(
                k.optionalInt("linear_num_key_heads", 16, 1, Limits.MAX_HEADS),
                k.optionalInt("linear_num_value_heads", 32, 1, Limits.MAX_HEADS),
                k.optionalInt("linear_key_head_dim", 128, 1, Limits.MAX_WIDTH),
                k.optionalInt("linear_value_head_dim", 128, 1, Limits.MAX_WIDTH),
                k.optionalInt("linear_conv_kernel_dim", 4, 1, 64));
        List<String> types = k.textList("layer_types");
        if (types != null && types.size() != layers)
            throw new InvalidFieldException(
                    "layer_types", types.size() + " entries", "one entry per layer, num_hidden_layers = " + layers);
        int interval = k.optionalInt("full_attention_interval", 4, 1, Limits.MAX_LAYERS);
        FeedForward dense = type.equals("qwen3_5_moe_text") // every layer a mixture of experts
                ? null
                : new GatedMlp(
                        k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                        activation(k.optionalText("hidden_act", "silu")),
                        false);
        List<LayerKind> kinds = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            boolean isFull;
            if (types != null)
                isFull = switch (types.get(i)) {
                    case "full_attention" -> true;
                    case "linear_attention" -> false;
                    default ->
                        throw new InvalidFieldException(
                                "layer_types", types.get(i), "full_attention or linear_attention");
                };
            else isFull = (i + 1) % interval == 0;
            kinds.add(LayerKind.global(isFull ? full : linear, qwen3NextFeedForward(k, type, i, layers, dense)));
        }
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                runs(kinds),
                Norms.llama(),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                type.equals("qwen3_next") ? 1 : k.optionalIntOrZero("mtp_num_hidden_layers", 0, 64));
    }

    /**
     * The feed-forward of layer {@code i}: Qwen3-Next's experts where Qwen2-MoE's rule puts them; Qwen3.5's dense MLP
     * in every layer; Qwen3.5-MoE's experts (with the gated shared expert) in every layer.
     */
    private static FeedForward qwen3NextFeedForward(ConfigKeys k, String type, int i, int layers, FeedForward dense) {
        return switch (type) {
            case "qwen3_5_text" -> dense;
            case "qwen3_5_moe_text" -> {
                int experts = k.requiredInt("num_experts", 1, Limits.MAX_EXPERTS);
                Activation act = activation(k.optionalText("hidden_act", "silu"));
                var expert = new GatedMlp(k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                int shared = k.optionalInt("shared_expert_intermediate_size", 512, 1, Limits.MAX_WIDTH);
                yield new MixtureOfExperts(
                        expert, experts, 1, topK(k, experts), false, new GatedMlp(shared, act, false), true);
            }
            default -> feedForward(k, "qwen2_moe", i, layers, dense);
        };
    }

    /**
     * Nemotron-H (modeling_nemotron_h): each layer one RMSNorm and one block, by {@code hybrid_override_pattern}
     * ({@code M} Mamba-2, {@code *} attention, {@code -} a ReLU² MLP, {@code E} a ReLU² mixture of experts with a shared
     * expert) or {@code layers_block_type}; never tied. The router's correction bias is a buffer the published
     * checkpoints do not hold, and is not counted.
     */
    private static TransformerSpec nemotronH(ConfigKeys k, String name, List<String> assumptions) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        String pattern = k.optionalText("hybrid_override_pattern", null);
        List<String> blocks = k.textList("layers_block_type");
        List<Character> kinds = new ArrayList<>();
        if (blocks != null)
            for (String b : blocks)
                kinds.add(
                        switch (b) {
                            case "mamba", "linear_attention" -> 'M';
                            case "attention", "full_attention" -> '*';
                            case "mlp" -> '-';
                            case "moe" -> 'E';
                            default ->
                                throw new InvalidFieldException("layers_block_type", b, "mamba, attention, mlp or moe");
                        });
        else if (pattern != null)
            for (char c : pattern.toCharArray()) {
                if ("M*-E".indexOf(c) < 0)
                    throw new InvalidFieldException(
                            "hybrid_override_pattern",
                            pattern,
                            "characters M (Mamba), * (attention), - (MLP), E (MoE)");
                kinds.add(c);
            }
        else
            throw InvalidFieldException.withMessage(
                    "hybrid_override_pattern", "config key hybrid_override_pattern (or layers_block_type) is missing");
        if (kinds.isEmpty() || kinds.size() > Limits.MAX_LAYERS)
            throw new InvalidFieldException(
                    "hybrid_override_pattern", pattern, "1 to " + Limits.MAX_LAYERS + " layers");
        int stated = k.optionalInt("num_hidden_layers", kinds.size(), 1, Limits.MAX_LAYERS);
        if (stated != kinds.size())
            assumptions.add("num_hidden_layers = " + stated + " differs from the layer pattern's " + kinds.size()
                    + " layers: the pattern decides, as in modeling_nemotron_h");
        if (k.has("moe_latent_size"))
            throw InvalidFieldException.withMessage(
                    "moe_latent_size",
                    "moe_latent_size (latent MoE projections) is not expressible in this version of strata");
        var mamba = new StateSpaceMixer(
                k.optionalInt("mamba_num_heads", 128, 1, Limits.MAX_HEADS),
                k.optionalInt("mamba_head_dim", 64, 1, Limits.MAX_WIDTH),
                k.optionalInt("n_groups", 8, 1, Limits.MAX_HEADS),
                k.optionalInt("ssm_state_size", 128, 1, 1 << 16),
                k.optionalInt("conv_kernel", 4, 1, 64),
                k.optionalBool("use_conv_bias", true),
                k.optionalBool("use_bias", false));
        var attention = (MultiHeadAttention) groupedAttention(k, d, 128, ProjectionBiases.NONE, false);
        Activation act = activation(k.optionalText("mlp_hidden_act", "relu2"));
        boolean mlpBias = k.optionalBool("mlp_bias", false);
        LayerKind m = LayerKind.global(mamba, new NoFeedForward());
        LayerKind a = LayerKind.global(attention, new NoFeedForward());
        List<LayerKind> layerKinds = new ArrayList<>(kinds.size());
        for (char c : kinds)
            layerKinds.add(
                    switch (c) {
                        case 'M' -> m;
                        case '*' -> a;
                        case '-' ->
                            LayerKind.global(
                                    new NoMixer(),
                                    new DenseMlp(
                                            k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, mlpBias));
                        default -> {
                            int experts = k.requiredInt("n_routed_experts", 1, Limits.MAX_EXPERTS);
                            var expert = new DenseMlp(
                                    k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, mlpBias);
                            int shared = k.optionalInt("n_shared_experts", 1, 0, Limits.MAX_EXPERTS);
                            var sharedExpert = new DenseMlp(
                                    k.optionalInt(
                                            "moe_shared_expert_intermediate_size",
                                            expert.intermediateSize(),
                                            1,
                                            Limits.MAX_WIDTH),
                                    act,
                                    mlpBias);
                            yield LayerKind.global(
                                    new NoMixer(),
                                    new MixtureOfExperts(
                                            expert, experts, shared, topK(k, experts), false, sharedExpert, false));
                        }
                    });
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                runs(layerKinds),
                new Norms(NormKind.RMS_NORM, false, 1, true),
                PositionEncoding.NONE,
                false,
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                0);
    }

    /**
     * Falcon-H1 (modeling_falcon_h1; absent keys take FalconH1Config's defaults): in every layer grouped-query attention
     * and a Mamba-2 mixer read the same normed input and their outputs are added, then a gated MLP; two RMSNorms per
     * layer and a final one; rotary positions. The mixer's inner width is {@code mamba_d_ssm} (1024 when absent,
     * {@code mamba_expand x hidden} when null) in {@code mamba_n_heads} heads of {@code mamba_d_head} ("auto": inner /
     * heads); its input projection has a bias by {@code mamba_proj_bias}, its output projection by
     * {@code projectors_bias}, and the gated RMSNorm exists only with {@code mamba_rms_norm}. The muP multipliers are
     * scalars of the config, not weights.
     */
    private static TransformerSpec falconH1(ConfigKeys k, String name, List<String> assumptions) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        int inner;
        if (k.has("mamba_d_ssm")) inner = k.requiredInt("mamba_d_ssm", 1, Limits.MAX_WIDTH);
        else if (k.node().has("mamba_d_ssm")) { // null: mamba_expand x hidden_size
            long expanded = (long) k.optionalInt("mamba_expand", 2, 1, 64) * d;
            if (expanded > Limits.MAX_WIDTH)
                throw new InvalidFieldException("mamba_expand", expanded / d, "at most " + Limits.MAX_WIDTH / d);
            inner = (int) expanded;
        } else {
            inner = 1024;
            assumptions.add("mamba_d_ssm absent: 1024, FalconH1Config's default");
        }
        int ssmHeads = k.optionalInt("mamba_n_heads", 128, 1, Limits.MAX_HEADS);
        int headDim;
        JsonNode given = k.node().get("mamba_d_head");
        if (given == null || given.isNull() || "auto".equals(given.asText())) {
            if (inner % ssmHeads != 0)
                throw new InvalidFieldException(
                        "mamba_n_heads", ssmHeads, "a divisor of the Mamba inner width (mamba_d_ssm) " + inner);
            headDim = inner / ssmHeads;
        } else {
            headDim = k.requiredInt("mamba_d_head", 1, Limits.MAX_WIDTH);
            if ((long) headDim * ssmHeads != inner)
                throw new InvalidFieldException(
                        "mamba_d_head",
                        headDim,
                        "mamba_d_ssm / mamba_n_heads = " + inner + " / " + ssmHeads + " (FalconH1Config's check)");
        }
        int groups = k.optionalInt("mamba_n_groups", 1, 1, Limits.MAX_HEADS);
        var mamba = new StateSpaceMixer(
                ssmHeads,
                headDim,
                groups,
                k.optionalInt("mamba_d_state", 256, 1, 1 << 16),
                k.optionalInt("mamba_d_conv", 4, 1, 64),
                k.optionalBool("mamba_conv_bias", true),
                k.optionalBool("mamba_proj_bias", false),
                k.optionalBool("projectors_bias", false),
                k.optionalBool("mamba_rms_norm", false));
        Attention attention = groupedAttention(
                k, d, 0, k.optionalBool("attention_bias", false) ? ProjectionBiases.ALL : ProjectionBiases.NONE, false);
        var mlp = new GatedMlp(
                k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                activation(k.optionalText("hidden_act", "silu")),
                k.optionalBool("mlp_bias", false));
        LayerKind layer = new LayerKind(attention, 0, mlp, mamba);
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                List.of(new LayerGroup(layers, layer)),
                new Norms(NormKind.RMS_NORM, false, 2, true),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 8192, 1, Limits.MAX_CONTEXT),
                0);
    }

    /**
     * Falcon (modeling_falcon): a fused query_key_value of the queries and, by the architecture, one shared key and
     * value head (multi_query), num_kv_heads of them (new_decoder_architecture) or one per head; a GELU MLP of
     * ffn_hidden_size (default 4 x hidden); LayerNorms with bias, one per layer in the parallel block, two with
     * new_decoder_architecture (ln_attn, ln_mlp) or without a parallel block; biases by {@code bias}; tied by default;
     * ALiBi or rotary positions, neither with weights.
     */
    private static TransformerSpec falcon(ConfigKeys k, String name) {
        int d = k.has("hidden_size")
                ? k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH)
                : k.requiredInt("n_embed", 1, Limits.MAX_WIDTH);
        int heads = k.has("num_attention_heads")
                ? k.requiredInt("num_attention_heads", 1, Limits.MAX_HEADS)
                : k.requiredInt("n_head", 1, Limits.MAX_HEADS);
        int layers = k.has("num_hidden_layers")
                ? k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS)
                : k.requiredInt("n_layer", 1, Limits.MAX_LAYERS);
        if (d % heads != 0)
            throw new InvalidFieldException("num_attention_heads", heads, "a divisor of hidden_size = " + d);
        boolean newArch = k.optionalBool("new_decoder_architecture", false);
        int kvHeads =
                newArch || !k.optionalBool("multi_query", true) ? k.optionalInt("num_kv_heads", heads, 1, heads) : 1;
        if (heads % kvHeads != 0)
            throw new InvalidFieldException("num_kv_heads", kvHeads, "a divisor of num_attention_heads = " + heads);
        boolean bias = k.optionalBool("bias", false);
        var attention = new MultiHeadAttention(
                heads, kvHeads, d / heads, bias ? ProjectionBiases.ALL : ProjectionBiases.NONE, false);
        var mlp = new DenseMlp(k.optionalInt("ffn_hidden_size", 4 * d, 1, Limits.MAX_WIDTH), Activation.GELU, bias);
        int norms = !k.optionalBool("parallel_attn", true)
                ? 2
                : k.optionalInt("num_ln_in_parallel_attn", newArch ? 2 : 1, 1, 2);
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                List.of(new LayerGroup(layers, LayerKind.global(attention, mlp))),
                new Norms(NormKind.LAYER_NORM, true, norms, true),
                k.optionalBool("alibi", false) ? PositionEncoding.ALIBI : PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", true),
                k.optionalInt("max_position_embeddings", 2048, 1, Limits.MAX_CONTEXT),
                0);
    }

    /**
     * Jamba (modeling_jamba): attention on the layers where i % attn_layer_period == attn_layer_offset, Mamba-1 on the
     * others; a mixture of experts where i % expert_layer_period == expert_layer_offset, a gated MLP elsewhere; two
     * RMSNorms per layer; no positions.
     */
    private static TransformerSpec jamba(ConfigKeys k, String name) {
        int d = k.requiredInt("hidden_size", 1, Limits.MAX_WIDTH);
        int layers = k.requiredInt("num_hidden_layers", 1, Limits.MAX_LAYERS);
        var attention = (MultiHeadAttention) groupedAttention(k, d, 0, ProjectionBiases.NONE, false);
        int dtRank;
        if (k.has("mamba_dt_rank")
                && !"auto".equals(k.node().path("mamba_dt_rank").asText(null)))
            dtRank = k.requiredInt("mamba_dt_rank", 1, Limits.MAX_WIDTH);
        else dtRank = (d + 15) / 16; // "auto": ceil(hidden / 16)
        var mamba = new SelectiveStateSpaceMixer(
                Math.multiplyExact(k.optionalInt("mamba_expand", 2, 1, 64), d),
                k.optionalInt("mamba_d_state", 16, 1, 1 << 16),
                dtRank,
                k.optionalInt("mamba_d_conv", 4, 1, 64),
                k.optionalBool("mamba_conv_bias", true),
                k.optionalBool("mamba_proj_bias", false),
                true);
        Activation act = activation(k.optionalText("hidden_act", "silu"));
        var mlp = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
        int experts = k.optionalInt("num_experts", 16, 1, Limits.MAX_EXPERTS);
        FeedForward moe = experts > 1 ? new MixtureOfExperts(mlp, experts, 0, topK(k, experts), false) : mlp;
        int attnPeriod = k.optionalInt("attn_layer_period", 8, 1, Limits.MAX_LAYERS);
        int attnOffset = k.optionalInt("attn_layer_offset", 4, 0, Limits.MAX_LAYERS);
        int expertPeriod = k.optionalInt("expert_layer_period", 2, 1, Limits.MAX_LAYERS);
        int expertOffset = k.optionalInt("expert_layer_offset", 1, 0, Limits.MAX_LAYERS);
        List<LayerKind> kinds = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++)
            kinds.add(LayerKind.global(
                    i % attnPeriod == attnOffset ? attention : mamba, i % expertPeriod == expertOffset ? moe : mlp));
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                runs(kinds),
                Norms.llama(),
                PositionEncoding.NONE,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 262_144, 1, Limits.MAX_CONTEXT),
                0);
    }

    /** Families whose configuration class ties the output head to the embedding unless the config says otherwise. */
    private static final Set<String> TIED_BY_DEFAULT =
            Set.of("gemma", "gemma2", "gemma3_text", "smollm3", "cohere", "cohere2", "starcoder2");

    private static MultiHeadAttention attention(ConfigKeys k, String type, int d) {
        int headDimDefault = switch (type) {
            case "gemma", "gemma2", "gemma3_text" -> 256;
            case "qwen3", "minimax_m2", "llama4_text", "ministral3" -> 128;
            case "gpt_oss" -> 64;
            default -> 0;
        };
        ProjectionBiases biases = switch (type) {
            case "qwen2" -> ProjectionBiases.QKV;
            case "qwen2_moe" -> k.optionalBool("qkv_bias", true) ? ProjectionBiases.QKV : ProjectionBiases.NONE;
            case "glm4_moe" -> k.optionalBool("attention_bias", false) ? ProjectionBiases.QKV : ProjectionBiases.NONE;
            case "phi3", "exaone4", "minimax_m2", "mistral", "ministral3" -> ProjectionBiases.NONE;
            case "gpt_oss" -> k.optionalBool("attention_bias", true) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
            case "starcoder2" -> k.optionalBool("use_bias", true) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
            case "internlm2" -> k.optionalBool("bias", true) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
            case "gpt_neox" -> k.optionalBool("attention_bias", true) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
            default -> k.optionalBool("attention_bias", false) ? ProjectionBiases.ALL : ProjectionBiases.NONE;
        };
        boolean perHead = switch (type) {
            case "qwen3", "qwen3_moe", "exaone4", "gemma3_text" -> true;
            case "glm4_moe" -> k.optionalBool("use_qk_norm", false);
            default -> false;
        };
        boolean acrossHeads = switch (type) {
            case "olmo2", "olmo3", "minimax_m2" -> true;
            case "cohere" -> k.optionalBool("use_qk_norm", false);
            default -> false;
        };
        MultiHeadAttention a =
                (MultiHeadAttention) groupedAttention(k, d, headDimDefault, biases, perHead || acrossHeads);
        int headDim = a.headDim();
        if (type.equals("cohere2") || type.equals("gpt_neox")) { // head size is hidden / heads, whatever head_dim says
            if (d % a.heads() != 0)
                throw new InvalidFieldException("num_attention_heads", a.heads(), "a divisor of hidden_size = " + d);
            headDim = d / a.heads();
        }
        return new MultiHeadAttention(
                a.heads(), a.kvHeads(), headDim, biases, a.qkNorm(), acrossHeads, type.equals("gpt_oss"), false);
    }

    /** The feed-forward of the layers that are not MoE (and of every layer of a dense model). */
    private static FeedForward denseFeedForward(ConfigKeys k, String type, int d) {
        return switch (type) {
            case "starcoder2" ->
                new DenseMlp(
                        k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                        activation(k.optionalText("hidden_act", "gelu_pytorch_tanh")),
                        k.optionalBool("use_bias", true));
            case "gpt_neox" ->
                new DenseMlp(
                        k.optionalInt("intermediate_size", 4 * d, 1, Limits.MAX_WIDTH),
                        activation(k.optionalText("hidden_act", "gelu")),
                        true);
            case "llama4_text" ->
                new GatedMlp(
                        k.requiredInt("intermediate_size_mlp", 1, Limits.MAX_WIDTH),
                        activation(k.optionalText("hidden_act", "silu")),
                        false);
            case "gpt_oss", "granitemoe", "granitemoeshared", "phimoe", "minimax_m2", "mixtral" ->
                null; // every layer is MoE
            default ->
                new GatedMlp(
                        k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                        activation(k.optionalText(
                                "hidden_activation",
                                k.optionalText("hidden_act", type.startsWith("gemma") ? "gelu_pytorch_tanh" : "silu"))),
                        mlpBias(k, type));
        };
    }

    private static boolean mlpBias(ConfigKeys k, String type) {
        return switch (type) {
            case "llama", "granite", "smollm3", "generic" -> k.optionalBool("mlp_bias", false);
            default -> false;
        };
    }

    /** Layer {@code i}'s feed-forward: the MoE block where the family's rule puts one, else {@code dense}. */
    private static FeedForward feedForward(ConfigKeys k, String type, int i, int layers, FeedForward dense) {
        Activation act = activation(k.optionalText("hidden_act", "silu"));
        switch (type) {
            case "mixtral", "phimoe", "granitemoe", "minimax_m2" -> {
                int experts = k.requiredInt("num_local_experts", 1, Limits.MAX_EXPERTS);
                var expert = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                // MiniMax-M2's e_score_correction_bias
                return new MixtureOfExperts(expert, experts, 0, topK(k, experts), type.equals("minimax_m2"));
            }
            case "granitemoeshared" -> {
                int experts = k.requiredInt("num_local_experts", 1, Limits.MAX_EXPERTS);
                var expert = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                int shared = k.optionalInt("shared_intermediate_size", 0, 0, Limits.MAX_WIDTH);
                return new MixtureOfExperts(
                        expert,
                        experts,
                        shared > 0 ? 1 : 0,
                        topK(k, experts),
                        false,
                        shared > 0 ? new GatedMlp(shared, act, false) : null,
                        false);
            }
            case "gpt_oss" -> {
                int experts = k.requiredInt("num_local_experts", 1, Limits.MAX_EXPERTS);
                // gate_up_proj_bias and down_proj_bias per expert; the router has a bias
                var expert = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, true);
                return new MixtureOfExperts(expert, experts, 0, topK(k, experts), true);
            }
            case "qwen2_moe", "qwen3_moe" -> {
                // modeling_qwen2_moe / qwen3_moe: MoE where i not in mlp_only_layers and (i + 1) % decoder_sparse_step
                // == 0
                int experts = k.optionalIntOrZero("num_experts", 0, Limits.MAX_EXPERTS);
                int step = k.optionalInt("decoder_sparse_step", 1, 1, Limits.MAX_LAYERS);
                if (experts == 0
                        || k.intList("mlp_only_layers", 0, Limits.MAX_LAYERS).contains(i)
                        || (i + 1) % step != 0) return dense;
                var expert = new GatedMlp(k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                if (type.equals("qwen3_moe")) return new MixtureOfExperts(expert, experts, 0, topK(k, experts), false);
                // configuration_qwen2_moe: shared_expert_intermediate_size defaults to 5632
                int shared = k.optionalInt("shared_expert_intermediate_size", 5632, 0, Limits.MAX_WIDTH);
                return shared == 0
                        ? new MixtureOfExperts(expert, experts, 0, topK(k, experts), false)
                        : new MixtureOfExperts(
                                expert, experts, 1, topK(k, experts), false, new GatedMlp(shared, act, false), true);
            }
            case "glm4_moe" -> {
                if (i < k.optionalInt("first_k_dense_replace", 1, 0, layers)) return dense;
                int experts = k.requiredInt("n_routed_experts", 1, Limits.MAX_EXPERTS);
                var expert = new GatedMlp(k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                return new MixtureOfExperts(
                        expert,
                        experts,
                        k.optionalInt("n_shared_experts", 1, 0, Limits.MAX_EXPERTS),
                        topK(k, experts),
                        true);
            }
            case "llama4_text" -> {
                // modeling_llama4: moe_layers default range(step - 1, layers, step)
                int step = k.optionalInt("interleave_moe_layer_step", 1, 1, Limits.MAX_LAYERS);
                List<Integer> moeLayers = k.intList("moe_layers", 0, Limits.MAX_LAYERS);
                boolean moe = k.has("moe_layers") ? moeLayers.contains(i) : (i + 1) % step == 0;
                if (!moe) return dense;
                int experts = k.requiredInt("num_local_experts", 1, Limits.MAX_EXPERTS);
                var expert = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
                return new MixtureOfExperts(expert, experts, 1, topK(k, experts), false);
            }
            case "generic" -> {
                int experts = k.optionalIntOrZero("num_local_experts", 0, Limits.MAX_EXPERTS);
                if (experts == 0) experts = k.optionalIntOrZero("num_experts", 0, Limits.MAX_EXPERTS);
                if (experts == 0) return dense;
                var expert = new GatedMlp(
                        k.optionalInt(
                                "moe_intermediate_size",
                                k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH),
                                1,
                                Limits.MAX_WIDTH),
                        act,
                        false);
                return new MixtureOfExperts(expert, experts, 0, topK(k, experts), false);
            }
            default -> {
                return dense;
            }
        }
    }

    /** The norms: kind, bias and how many hidden-size norms a layer has, as each family's layer holds them. */
    private static Norms norms(String type) {
        return switch (type) {
            case "gemma2", "gemma3_text" -> new Norms(NormKind.RMS_NORM, false, 4, true);
            case "phimoe", "starcoder2", "gpt_neox" -> new Norms(NormKind.LAYER_NORM, true, 2, true);
            case "cohere", "cohere2" -> new Norms(NormKind.LAYER_NORM, false, 1, true); // one norm, parallel block
            default -> Norms.llama(); // olmo2, olmo3, exaone4: two post-norms instead of two pre-norms, as many weights
        };
    }

    /**
     * The attention window of each layer (0: full attention). An explicit {@code layer_types} list decides when the
     * config has one ({@code sliding_attention}: {@code sliding_window}; {@code chunked_attention}:
     * {@code attention_chunk_size}, whose cache holds at most one chunk); otherwise the family's default pattern.
     */
    private static int[] windows(ConfigKeys k, String type, int layers) {
        int[] w = new int[layers];
        int window = k.optionalIntOrZero("sliding_window", 0, Limits.MAX_CONTEXT);
        List<String> types = k.textList("layer_types");
        if (types != null) {
            if (types.size() != layers)
                throw new InvalidFieldException(
                        "layer_types", types.size() + " entries", "one entry per layer, num_hidden_layers = " + layers);
            for (int i = 0; i < layers; i++)
                w[i] = switch (types.get(i)) {
                    case "full_attention" -> 0;
                    case "sliding_attention" -> window > 0 ? window : defaultWindow(type);
                    case "chunked_attention" -> k.optionalInt("attention_chunk_size", 8192, 1, Limits.MAX_CONTEXT);
                    default ->
                        throw new InvalidFieldException(
                                "layer_types", types.get(i), "full_attention, sliding_attention or chunked_attention");
                };
            return w;
        }
        switch (type) {
            case "mistral", "mixtral", "phimoe", "phi3", "starcoder2", "ministral3" -> java.util.Arrays.fill(w, window);
            case "qwen3_moe" -> {
                if (k.optionalBool("use_sliding_window", false)) java.util.Arrays.fill(w, window);
            }
            case "qwen2", "qwen3", "qwen2_moe" -> {
                // sliding window only when use_sliding_window, and only on layers >= max_window_layers
                int from = k.optionalInt("max_window_layers", layers, 0, Limits.MAX_LAYERS);
                if (k.optionalBool("use_sliding_window", false)) for (int i = from; i < layers; i++) w[i] = window;
            }
            case "gemma2", "gpt_oss" -> { // modeling_gemma2: is_sliding = not bool(layer_idx % 2)
                int sw = window > 0 ? window : defaultWindow(type);
                for (int i = 0; i < layers; i += 2) w[i] = sw;
            }
            case "gemma3_text", "exaone4", "cohere2", "olmo3" -> {
                // configuration_<type>: layer i slides unless (i + 1) % sliding_window_pattern == 0
                int pattern = k.optionalInt(
                        "sliding_window_pattern", type.equals("gemma3_text") ? 6 : 4, 1, Limits.MAX_LAYERS);
                int sw = window > 0 ? window : defaultWindow(type);
                if (sw > 0) for (int i = 0; i < layers; i++) if ((i + 1) % pattern != 0) w[i] = sw;
            }
            case "llama4_text" -> {
                // chunked local attention on the RoPE layers: every layer but each no_rope_layer_interval-th
                int interval = k.optionalInt("no_rope_layer_interval", 4, 1, Limits.MAX_LAYERS);
                int chunk = k.optionalInt("attention_chunk_size", 8192, 1, Limits.MAX_CONTEXT);
                if (chunk > 0) for (int i = 0; i < layers; i++) if ((i + 1) % interval != 0) w[i] = chunk;
            }
            default -> {} // llama, granite, olmo2, smollm3, ...: full attention unless layer_types says otherwise
        }
        return w;
    }

    /** The sliding window a family's configuration class uses when the config gives none. */
    private static int defaultWindow(String type) {
        return switch (type) {
            case "gpt_oss" -> 128;
            case "gemma2", "gemma3_text", "exaone4", "cohere2", "olmo3" -> 4096;
            default -> 0;
        };
    }

    /** Runs of equal consecutive layer kinds, the spec's layer groups. */
    private static List<LayerGroup> runs(List<LayerKind> kinds) {
        List<LayerGroup> groups = new ArrayList<>();
        for (LayerKind kind : kinds) {
            LayerGroup last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (last != null && last.kind().equals(kind))
                groups.set(groups.size() - 1, new LayerGroup(last.count() + 1, kind));
            else groups.add(new LayerGroup(1, kind));
        }
        return groups;
    }

    /**
     * What reading an unknown family through the standard keys assumes; refuses, naming the missing keys, when the
     * config lacks them.
     */
    private static List<String> generic(ConfigKeys k, String type) {
        List<String> missing = new ArrayList<>();
        for (String key :
                List.of("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "vocab_size"))
            if (!k.has(key)) missing.add(key);
        if (!missing.isEmpty())
            throw InvalidFieldException.withMessage(
                    "model_type",
                    "model_type = \"" + type + "\" has no mapping in strata and the config lacks the standard key"
                            + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                            + " to read it by; known families: " + String.join(", ", SUPPORTED_MODEL_TYPES));
        List<String> a = new ArrayList<>();
        a.add("model_type " + type + " has no mapping of its own: read as a Llama-style decoder (pre-norm RMSNorm x2,"
                + " rotary positions, gated MLP)");
        if (!k.has("num_key_value_heads")) a.add("num_key_value_heads absent: as many as num_attention_heads");
        if (!k.has("head_dim")) a.add("head_dim absent: hidden_size / num_attention_heads");
        if (!k.has("attention_bias")) a.add("attention_bias absent: no biases on q, k, v, o");
        if (!k.has("tie_word_embeddings")) a.add("tie_word_embeddings absent: untied output head");
        if (k.has("num_local_experts") || k.has("num_experts"))
            a.add("every layer a mixture of experts without shared experts or router bias");
        return a;
    }

    /**
     * DeepSeek-V2 and V3 (and Kimi K2, a V3): MLA attention; first_k_dense_replace dense layers, then MoE with shared
     * experts; V3's router has a correction bias (topk_method noaux_tc), V2's greedy router none.
     */
    private static TransformerSpec deepseek(ConfigKeys k, String type, String name) {
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
        // DeepSeek sparse attention: the lightning indexer in every layer (GLM-5: in the "full" layers of
        // indexer_types)
        boolean sparse = type.equals("deepseek_v32") || type.equals("glm_moe_dsa");
        int qLoraRank = sparse
                ? k.requiredInt("q_lora_rank", 1, Limits.MAX_WIDTH)
                : k.optionalIntOrZero("q_lora_rank", 1, Limits.MAX_WIDTH);
        var attention = new LatentAttention(
                heads,
                qLoraRank,
                k.requiredInt("kv_lora_rank", 1, Limits.MAX_WIDTH),
                nope,
                rope,
                k.requiredInt("v_head_dim", 1, Limits.MAX_WIDTH),
                sparse ? k.optionalInt("index_n_heads", type.equals("glm_moe_dsa") ? 32 : 64, 1, Limits.MAX_HEADS) : 0,
                sparse ? k.optionalInt("index_head_dim", 128, 1, Limits.MAX_WIDTH) : 0,
                sparse ? k.optionalInt("index_topk", 2048, 1, Limits.MAX_CONTEXT) : 0);
        Activation act = activation(k.optionalText("hidden_act", "silu"));
        var dense = new GatedMlp(k.requiredInt("intermediate_size", 1, Limits.MAX_WIDTH), act, false);
        int experts = k.requiredInt("n_routed_experts", 1, Limits.MAX_EXPERTS);
        var expert = new GatedMlp(k.requiredInt("moe_intermediate_size", 1, Limits.MAX_WIDTH), act, false);
        // e_score_correction_bias exists with topk_method noaux_tc (DeepSeek-V3's default).
        boolean routerBias = k.optionalText("topk_method", type.equals("deepseek_v2") ? "greedy" : "noaux_tc")
                .equals("noaux_tc");
        var moe = new MixtureOfExperts(
                expert,
                experts,
                k.optionalInt("n_shared_experts", type.equals("deepseek_v2") ? 2 : 1, 0, Limits.MAX_EXPERTS),
                topK(k, experts),
                routerBias);
        int firstDense = k.optionalInt("first_k_dense_replace", sparse ? 3 : 0, 0, layers);
        int freq = k.optionalInt("moe_layer_freq", 1, 1, Limits.MAX_LAYERS);
        // deepseek_v32: mlp_layer_types ("dense" or "sparse" per layer) when given
        List<String> mlpTypes = k.textList("mlp_layer_types");
        if (mlpTypes != null && mlpTypes.size() != layers)
            throw new InvalidFieldException(
                    "mlp_layer_types",
                    mlpTypes.size() + " entries",
                    "one entry per layer, num_hidden_layers = " + layers);
        java.util.Set<Integer> indexerShared =
                type.equals("glm_moe_dsa") ? glmSharedIndexerLayers(k, layers) : java.util.Set.of();
        List<LayerKind> kinds = new ArrayList<>(layers);
        for (int i = 0;
                i < layers;
                i++) { // modeling_deepseek_v3: MoE where idx >= first_k_dense_replace and idx % moe_layer_freq == 0
            boolean isMoe;
            if (mlpTypes != null)
                isMoe = switch (mlpTypes.get(i)) {
                    case "sparse" -> true;
                    case "dense" -> false;
                    default -> throw new InvalidFieldException("mlp_layer_types", mlpTypes.get(i), "dense or sparse");
                };
            else isMoe = i >= firstDense && i % freq == 0;
            kinds.add(LayerKind.global(
                    indexerShared.contains(i) ? sharedTopK(attention) : attention, isMoe ? moe : dense));
        }
        return new TransformerSpec(
                name,
                k.requiredInt("vocab_size", 1, Limits.MAX_VOCAB),
                d,
                runs(kinds),
                Norms.llama(),
                PositionEncoding.ROTARY,
                k.optionalBool("tie_word_embeddings", false),
                k.optionalInt("max_position_embeddings", 4096, 1, Limits.MAX_CONTEXT),
                k.optionalIntOrZero("num_nextn_predict_layers", 0, 64));
    }

    /**
     * The layers of GLM-MoE-DSA (GLM-5) that reuse the previous layer's top-k instead of running an indexer
     * (configuration_glm_moe_dsa: {@code indexer_types} "shared", or the {@code index_topk_pattern} letter S, or by
     * {@code index_topk_freq} and {@code index_skip_topk_offset}: layer i runs its own when max(i - offset + 1, 0) is a
     * multiple of freq).
     */
    private static java.util.Set<Integer> glmSharedIndexerLayers(ConfigKeys k, int layers) {
        List<String> types = k.textList("indexer_types");
        if (types == null) {
            String pattern = k.optionalText("index_topk_pattern", null);
            if (pattern != null) {
                types = new ArrayList<>();
                for (char c : pattern.toCharArray())
                    types.add(
                            switch (c) {
                                case 'F' -> "full";
                                case 'S' -> "shared";
                                default ->
                                    throw new InvalidFieldException(
                                            "index_topk_pattern", pattern, "letters F (full) and S (shared)");
                            });
            }
        }
        java.util.Set<Integer> shared = new java.util.HashSet<>();
        if (types != null) {
            if (types.size() != layers)
                throw new InvalidFieldException(
                        "indexer_types",
                        types.size() + " entries",
                        "one entry per layer, num_hidden_layers = " + layers);
            for (int i = 0; i < layers; i++)
                switch (types.get(i)) {
                    case "full" -> {}
                    case "shared" -> shared.add(i);
                    default -> throw new InvalidFieldException("indexer_types", types.get(i), "full or shared");
                }
            return shared;
        }
        int freq = Math.max(k.optionalInt("index_topk_freq", 1, 1, Limits.MAX_LAYERS), 1);
        int offset = k.optionalInt("index_skip_topk_offset", 2, 0, Limits.MAX_LAYERS);
        for (int i = 0; i < layers; i++) if (Math.max(i - offset + 1, 0) % freq != 0) shared.add(i);
        return shared;
    }

    /** The same sparse attention without an indexer of its own: it attends to the previous layer's top-k. */
    private static LatentAttention sharedTopK(LatentAttention a) {
        return new LatentAttention(
                a.heads(),
                a.qLoraRank(),
                a.kvLoraRank(),
                a.qkNopeHeadDim(),
                a.qkRopeHeadDim(),
                a.vHeadDim(),
                0,
                0,
                a.indexTopK());
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
