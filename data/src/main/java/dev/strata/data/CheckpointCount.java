package dev.strata.data;

import dev.strata.estimator.params.ParamComponent;
import dev.strata.estimator.params.ParameterCount;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint's safetensors hold, counted from their headers, and how that compares with strata's count of
 * the spec imported from its config.
 *
 * <p>Parameters are the elements of every tensor but block scales ({@code *_scale_inv}, {@code *_scale},
 * {@code *_scales}: counted apart as {@link #scaleElements}) and rotary buffers ({@code inv_freq}); an MXFP4 tensor
 * stored as {@code U8} {@code *_blocks} packs two parameters per byte (gpt-oss). Bytes are the tensors' data, exactly.
 * The term-by-term comparison maps tensor names to strata's terms by the Hugging Face module names
 * ({@code q_proj} is attentionQuery, {@code experts} routedExperts, ...): a guide to where a difference lies.
 *
 * @param tensors         number of tensors
 * @param parameters      parameters stored, as defined above
 * @param bytes           bytes of tensor data
 * @param scaleElements   elements of block-scale tensors
 * @param elementsByDtype elements per safetensors dtype, in name order
 * @param byTerm          parameters per strata term, in name order ({@link ParamComponent#key()}), with {@code multiTokenPrediction},
 *                        {@code encoder} and {@code other} for tensors outside the main model's terms
 */
public record CheckpointCount(
        long tensors,
        long parameters,
        long bytes,
        long scaleElements,
        Map<String, Long> elementsByDtype,
        Map<String, Long> byTerm) {

    /**
     * Counts {@code tensors} of a model with {@code layers} main layers (deeper layer indices are MTP modules).
     *
     * @param tensors the tensors of the checkpoint
     * @param layers the main model's layers
     * @return the count
     */
    public static CheckpointCount of(List<Safetensors.Tensor> tensors, int layers) {
        long params = 0, bytes = 0, scales = 0;
        Map<String, Long> dtypes = new TreeMap<>(), terms = new TreeMap<>();
        for (Safetensors.Tensor t : tensors) {
            bytes = Math.addExact(bytes, t.bytes());
            dtypes.merge(t.dtype(), t.elements(), Math::addExact);
            String n = t.name();
            if (n.endsWith("inv_freq")) continue;
            if (n.endsWith("_scale_inv") || n.endsWith("_scale") || n.endsWith("_scales")) {
                scales = Math.addExact(scales, t.elements());
                continue;
            }
            long p = n.endsWith("_blocks") && t.dtype().equals("U8")
                    ? Math.multiplyExact(2, t.elements())
                    : t.elements();
            params = Math.addExact(params, p);
            terms.merge(term(n, layers), p, Math::addExact);
        }
        return new CheckpointCount(tensors.size(), params, bytes, scales, dtypes, terms);
    }

    /**
     * Copies the maps, keeping them in name order.
     *
     * @param tensors number of tensors
     * @param parameters parameters stored, as defined above
     * @param bytes bytes of tensor data
     * @param scaleElements elements of block-scale tensors
     * @param elementsByDtype elements per safetensors dtype, in name order
     * @param byTerm parameters per strata term, in name order ({@link ParamComponent#key()}), with {@code
     *     multiTokenPrediction}, {@code encoder} and {@code other} for tensors outside the main model's terms
     */
    public CheckpointCount {
        elementsByDtype = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(elementsByDtype));
        byTerm = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(byTerm));
    }

    /**
     * Stored parameters less strata's {@link ParameterCount#checkpointTotal()}, per term where they differ (in
     * strata's term order, then the terms strata does not have); empty when every term agrees.
     *
     * @param count strata's count of the same model
     * @return stored less counted, by term
     */
    public Map<String, Long> differences(ParameterCount count) {
        Map<String, Long> strata = new TreeMap<>();
        for (ParamComponent c : ParamComponent.values()) if (count.total(c) != 0) strata.put(c.key(), count.total(c));
        if (count.multiTokenPrediction() != 0) strata.put("multiTokenPrediction", count.multiTokenPrediction());
        if (count.encoder() != 0) strata.put("encoder", count.encoder());
        Map<String, Long> out = new TreeMap<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(strata.keySet());
        keys.addAll(byTerm.keySet());
        for (String k : keys) {
            long d = byTerm.getOrDefault(k, 0L) - strata.getOrDefault(k, 0L);
            if (d != 0) out.put(k, d);
        }
        return out;
    }

    /** strata's term for a tensor name (Hugging Face module names), or multiTokenPrediction, encoder, other. */
    static String term(String name, int layers) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.contains("vision")
                || n.contains("multi_modal_projector")
                || n.contains("mm_input_projection")
                || n.contains("mm_soft_emb_norm")
                || n.contains("audio")) return "encoder";
        if (n.startsWith("mtp.") || n.contains(".mtp.")) return "multiTokenPrediction";
        if (n.startsWith("blk.") || n.startsWith("token_embd") || n.startsWith("output")) return ggufTerm(n, layers);
        int layer = layerIndex(n);
        if (layer >= layers) return "multiTokenPrediction"; // DeepSeek and GLM store MTP modules as extra layers
        if (layer < 0) {
            if (n.contains("embed_tokens")
                    || n.contains("wte.")
                    || n.contains("word_embeddings")
                    || n.contains("embed_in")
                    || n.contains("tok_embeddings")
                    || n.contains("embeddings.weight")) return key(ParamComponent.EMBEDDING);
            if (n.contains("wpe.")) return key(ParamComponent.POSITION_EMBEDDING);
            if (n.startsWith("lm_head") || n.contains("embed_out") || n.equals("output.weight"))
                return key(ParamComponent.OUTPUT_HEAD);
            if (n.contains("norm")) return key(ParamComponent.FINAL_NORM);
            return "other";
        }
        if (n.contains("shared_expert")) return key(ParamComponent.SHARED_EXPERTS);
        if (n.contains(".experts.")) return key(ParamComponent.ROUTED_EXPERTS);
        if (n.contains("e_score_correction_bias")
                || n.contains(".router.")
                || n.matches(".*\\.(mlp|feed_forward|block_sparse_moe)\\.gate\\.(weight|bias)"))
            return key(ParamComponent.ROUTER);
        if (n.contains("q_a_layernorm") || n.contains("kv_a_layernorm"))
            return key(ParamComponent.ATTENTION_LATENT_NORMS);
        if (n.contains("q_norm") || n.contains("k_norm")) return key(ParamComponent.ATTENTION_QK_NORMS);
        if (n.endsWith(".sinks")) return key(ParamComponent.ATTENTION_SINKS);
        if (n.contains("norm") || n.contains("ln_")) return key(ParamComponent.LAYER_NORMS);
        if (n.contains("q_a_proj")) return key(ParamComponent.ATTENTION_QUERY_DOWN);
        if (n.contains("q_b_proj")) return key(ParamComponent.ATTENTION_QUERY_UP);
        if (n.contains("kv_a_proj")) return key(ParamComponent.ATTENTION_KEY_VALUE_DOWN);
        if (n.contains("kv_b_proj")) return key(ParamComponent.ATTENTION_KEY_VALUE_UP);
        if (n.contains("q_proj")) return key(ParamComponent.ATTENTION_QUERY);
        if (n.contains("k_proj")) return key(ParamComponent.ATTENTION_KEY);
        if (n.contains("v_proj")) return key(ParamComponent.ATTENTION_VALUE);
        if (n.contains("o_proj")
                || n.contains("attn.c_proj")
                || n.contains("attention.dense")
                || n.contains("attention.wo")) return key(ParamComponent.ATTENTION_OUTPUT);
        if (n.contains("mlp") || n.contains("feed_forward") || n.contains("ffn")) return key(ParamComponent.MLP);
        return "other";
    }

    /** strata's term for a GGUF tensor name (llama.cpp's names: blk.N.attn_q, ffn_up_exps, token_embd, ...). */
    private static String ggufTerm(String n, int layers) {
        if (n.startsWith("token_embd")) return key(ParamComponent.EMBEDDING);
        if (n.startsWith("output_norm")) return key(ParamComponent.FINAL_NORM);
        if (n.startsWith("output.")) return key(ParamComponent.OUTPUT_HEAD);
        if (layerIndex(n) >= layers) return "multiTokenPrediction";
        if (n.contains("_shexp")) return key(ParamComponent.SHARED_EXPERTS);
        if (n.contains("_exps")) return key(ParamComponent.ROUTED_EXPERTS);
        if (n.contains("ffn_gate_inp") || n.contains("exp_probs_b")) return key(ParamComponent.ROUTER);
        if (n.contains("attn_q_norm") || n.contains("attn_k_norm")) return key(ParamComponent.ATTENTION_QK_NORMS);
        if (n.contains("norm")) return key(ParamComponent.LAYER_NORMS);
        if (n.contains("attn_qkv")) return "attentionQkv"; // fused: no single strata term
        if (n.contains("attn_q.")) return key(ParamComponent.ATTENTION_QUERY);
        if (n.contains("attn_k.")) return key(ParamComponent.ATTENTION_KEY);
        if (n.contains("attn_v.")) return key(ParamComponent.ATTENTION_VALUE);
        if (n.contains("attn_output")) return key(ParamComponent.ATTENTION_OUTPUT);
        if (n.contains("ffn_")) return key(ParamComponent.MLP);
        return "other";
    }

    private static String key(ParamComponent c) {
        return c.key();
    }

    /** The layer index in a name such as {@code model.layers.12.mlp...}, or -1 when the tensor is not in a layer. */
    private static int layerIndex(String n) {
        for (String marker : new String[] {"layers.", ".h.", "blocks.", "blk."}) {
            int i = n.indexOf(marker);
            if (i < 0) continue;
            int j = i + marker.length(), k = j;
            while (k < n.length() && Character.isDigit(n.charAt(k))) k++;
            if (k > j && k - j < 9) return Integer.parseInt(n.substring(j, k));
        }
        return -1;
    }
}
