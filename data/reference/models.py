"""The models the harness measures, as strata spec JSON (the format of ``./strata spec``; strata reads them back
with ``--model FILE``). Shapes of published models are copied from their configs; the small ones are made up to
span sizes. Standard library only.
"""


def _attention(heads, kv_heads, head_dim, biases=(False, False, False, False), qk_norm=False):
    q, k, v, o = biases
    return {"type": "multiHead", "heads": heads, "kvHeads": kv_heads, "headDim": head_dim,
            "biases": {"query": q, "key": k, "value": v, "output": o}, "qkNorm": qk_norm}


def _mlp(kind, size, activation, bias=False):
    return {"type": kind, "intermediateSize": size, "activation": activation, "bias": bias}


def _spec(name, vocab, hidden, layers, attention, feed_forward, norms, positions, tied, context, window=0):
    return {
        "name": name, "vocabSize": vocab, "hiddenSize": hidden,
        "layers": [{"count": layers, "kind": {"attention": attention, "slidingWindow": window,
                                               "feedForward": feed_forward}}],
        "norms": norms, "positions": positions, "tiedEmbeddings": tied, "contextLength": context,
        "multiTokenPredictionModules": 0,
    }


RMS = {"kind": "RMS_NORM", "bias": False, "perLayer": 2, "finalNorm": True}
LAYER_NORM = {"kind": "LAYER_NORM", "bias": True, "perLayer": 2, "finalNorm": True}


def llama(name, vocab, hidden, layers, heads, kv_heads, head_dim, ffn, tied, context=131072, biases=None,
          qk_norm=False, window=0):
    return _spec(name, vocab, hidden, layers,
                 _attention(heads, kv_heads, head_dim, biases or (False,) * 4, qk_norm),
                 _mlp("gated", ffn, "SILU"), RMS, "ROTARY", tied, context, window)


def gpt2(name, vocab, hidden, layers, heads, context):
    return _spec(name, vocab, hidden, layers, _attention(heads, heads, hidden // heads, (True,) * 4),
                 _mlp("dense", 4 * hidden, "GELU_TANH", True), LAYER_NORM, "LEARNED", True, context)


def moe(name, vocab, hidden, layers, heads, kv_heads, head_dim, expert_ffn, routed, shared, top_k, tied,
        context=32768, router_bias=False):
    ff = {"type": "moe", "expert": _mlp("gated", expert_ffn, "SILU"), "routedExperts": routed,
          "sharedExperts": shared, "topK": top_k, "routerBias": router_bias}
    return _spec(name, vocab, hidden, layers, _attention(heads, kv_heads, head_dim), ff, RMS, "ROTARY", tied, context)


MODELS = {
    # --quick: three tiny models, one per code path (Llama-style, GPT-2 style, mixture of experts)
    "tiny-llama": llama("tiny-llama", 4096, 128, 2, 4, 2, 32, 352, tied=True, context=2048),
    "tiny-gpt2": gpt2("tiny-gpt2", 4096, 128, 2, 4, context=512),
    "tiny-moe": moe("tiny-moe", 4096, 128, 2, 4, 2, 32, 192, routed=4, shared=1, top_k=2, tied=False, context=2048),
    # --full: about 10M to about 1.2B parameters
    "llama-11m": llama("llama-11m", 32000, 256, 4, 4, 2, 64, 688, tied=True, context=8192),
    "gpt2-124m": gpt2("GPT-2 (124M) shape", 50257, 768, 12, 12, context=1024),
    "moe-194m": moe("moe-194m (8 experts top-2 + 1 shared)", 32000, 512, 8, 8, 2, 64, 1408, routed=8, shared=1,
                    top_k=2, tied=False),
    "qwen2.5-0.5b": llama("Qwen2.5-0.5B shape (q/k/v biases)", 151936, 896, 24, 14, 2, 64, 4864, tied=True,
                          context=32768, biases=(True, True, True, False)),
    "llama-3.2-1b": llama("Llama 3.2 1B shape", 128256, 2048, 16, 32, 8, 64, 8192, tied=True),
    # --full --device cuda only: Llama 3 8B (16 GB in bf16, 32 GB in fp32: a GPU's size, not two cores')
    "llama-3-8b": llama("Llama 3 8B shape", 128256, 4096, 32, 32, 8, 128, 14336, tied=False),
    # not in the grids: shapes that exercise q/k norms and sliding windows (for checks)
    "tiny-qknorm-swa": llama("tiny-qknorm-swa", 4096, 128, 2, 4, 1, 48, 256, tied=False, context=2048,
                             qk_norm=True, window=64),
}
