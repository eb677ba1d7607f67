"""A strata spec JSON, built as a plain-torch decoder with random weights, for measuring the reference stack.

Covers what ``MultiHeadAttention`` specs describe: Llama-style (RMSNorm, RoPE, grouped-query attention, SwiGLU;
q/k/v/o biases and q/k norms as the spec says; sliding windows in the mask and in the cache), GPT-2 style (LayerNorm
with bias, learned positions, GELU MLP with biases, tied head) and mixtures of experts (router, top-k routed gated or
dense experts, shared experts). Latent attention (MLA) is refused with a clear message.

Parameters are exactly the weights strata counts (sum of ``numel`` over ``parameters()``; a tied head reuses the
embedding and is not a second parameter). Buffers (rotary tables) are not parameters.

KV cache: one preallocated tensor per layer for K and one for V, ``(batch, kvHeads, capacity, headDim)``, written with
a value so that its pages are resident (RSS counts them). Decoding never slices it: every step attends over the whole
capacity with the unused tail masked, which keeps oneDNN from copying a slice each call. Sliding-window layers hold
``min(window, capacity)`` slots used as a ring.

Import this module only after torch is importable (see common.import_torch).
"""

import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}
ACTIVATIONS = {
    "GELU": lambda x: F.gelu(x),
    "GELU_TANH": lambda x: F.gelu(x, approximate="tanh"),
    "SILU": F.silu,
    "RELU": F.relu,
    "RELU_SQUARED": lambda x: torch.square(F.relu(x)),
}
ROPE_THETA = 10000.0
NORM_EPS = 1e-5
# Scores of one prefill attention chunk stay below this many elements (flash-attention-like memory, full FLOPs).
PREFILL_SCORE_ELEMENTS = 1 << 25


class SpecError(ValueError):
    """A spec the harness cannot build; the message names the field."""


def load_spec(path):
    with open(path) as f:
        spec = json.load(f)
    check_spec(spec)
    return spec


def check_spec(spec):
    for key in ("vocabSize", "hiddenSize", "layers", "norms", "positions", "tiedEmbeddings", "contextLength"):
        if key not in spec:
            raise SpecError("spec field %s is missing" % key)
    if spec.get("multiTokenPredictionModules", 0):
        raise SpecError("multiTokenPredictionModules = %s: multi-token prediction is not built by the harness"
                        % spec["multiTokenPredictionModules"])
    if spec["norms"]["perLayer"] not in (0, 1, 2, 4):
        raise SpecError("norms.perLayer = %s: the harness builds 0, 1 (parallel block), 2 (pre-norm) or 4 "
                        "(pre and post, Gemma 2)" % spec["norms"]["perLayer"])
    if spec.get("outputHeadBias"):
        raise SpecError("outputHeadBias = true: the harness does not build it")
    for g in spec["layers"]:
        att = g["kind"]["attention"]
        if att.get("type") != "multiHead":
            raise SpecError("attention.type = %s: the harness builds multiHead attention only (no latent/MLA)"
                            % att.get("type"))
        if g["kind"].get("parallelMixer", {"type": "none"}).get("type") != "none":
            raise SpecError("parallelMixer.type = %s: the harness does not build a mixer beside the attention"
                            % g["kind"]["parallelMixer"].get("type"))
        for key in ("qkNormAcrossHeads", "sinks", "gatedOutput"):
            if att.get(key):
                raise SpecError("attention.%s = true: the harness does not build it" % key)
        ff = g["kind"]["feedForward"]
        if ff["type"] == "moe":
            if ff.get("sharedExpertGate"):
                raise SpecError("feedForward.sharedExpertGate = true: the harness does not build it")
            if ff.get("sharedExpert") not in (None, ff["expert"]):
                raise SpecError("feedForward.sharedExpert: the harness builds shared experts of the routed shape only")
        mlps = [ff["expert"]] if ff["type"] == "moe" else [ff]
        for m in mlps:
            if m["type"] not in ("dense", "gated"):
                raise SpecError("feedForward.type = %s: expected dense, gated or moe" % m["type"])
            if m["activation"] not in ACTIVATIONS:
                raise SpecError("feedForward.activation = %s: expected one of %s" % (m["activation"], sorted(ACTIVATIONS)))
    if spec["positions"] not in ("LEARNED", "ROTARY", "ALIBI", "NONE"):
        raise SpecError("positions = %s: expected LEARNED, ROTARY, ALIBI or NONE" % spec["positions"])


def layer_kinds(spec):
    """The kind of every layer, in order (the spec stores runs of identical layers)."""
    out = []
    for g in spec["layers"]:
        out.extend([g["kind"]] * int(g["count"]))
    return out


# ---------------------------------------------------------------------------------------------- blocks

class Norm(nn.Module):
    def __init__(self, kind, width, bias):
        super().__init__()
        self.kind = kind
        self.weight = nn.Parameter(torch.empty(width))
        self.bias = nn.Parameter(torch.empty(width)) if bias else None

    def forward(self, x):
        if self.kind == "LAYER_NORM":
            return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, NORM_EPS)
        # RMSNorm as Llama computes it: in fp32, then back to the activation dtype.
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + NORM_EPS)
        return self.weight * h.to(x.dtype)


def make_norm(spec, width):
    return Norm(spec["norms"]["kind"], width, spec["norms"]["bias"])


class Mlp(nn.Module):
    """Dense (fc -> act -> proj) or gated (act(gate) * up -> down); ``bias`` on every matrix as strata counts it."""

    def __init__(self, d, m):
        super().__init__()
        f, bias = int(m["intermediateSize"]), bool(m["bias"])
        self.gated = m["type"] == "gated"
        self.act = ACTIVATIONS[m["activation"]]
        if self.gated:
            self.gate = nn.Linear(d, f, bias=bias)
        self.up = nn.Linear(d, f, bias=bias)
        self.down = nn.Linear(f, d, bias=bias)

    def forward(self, x):
        h = self.act(self.gate(x)) * self.up(x) if self.gated else self.act(self.up(x))
        return self.down(h)


class MoE(nn.Module):
    """Router (d -> experts, optional per-expert selection bias) picks top-k routed experts; shared experts see all."""

    def __init__(self, d, ff):
        super().__init__()
        self.top_k = int(ff["topK"])
        self.router = nn.Linear(d, int(ff["routedExperts"]), bias=False)
        self.router_bias = nn.Parameter(torch.empty(int(ff["routedExperts"]))) if ff["routerBias"] else None
        self.experts = nn.ModuleList(Mlp(d, ff["expert"]) for _ in range(int(ff["routedExperts"])))
        self.shared = nn.ModuleList(Mlp(d, ff["expert"]) for _ in range(int(ff["sharedExperts"])))

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        probs = F.softmax(self.router(x), dim=-1, dtype=torch.float32)
        select = probs if self.router_bias is None else probs + self.router_bias.float()
        idx = torch.topk(select, self.top_k, dim=-1).indices
        w = torch.gather(probs, -1, idx)
        w = (w / w.sum(-1, keepdim=True)).to(x.dtype)
        out = torch.zeros_like(x)
        for e in torch.unique(idx).tolist():  # only the experts the batch routes to are read
            rows, slot = torch.nonzero(idx == e, as_tuple=True)
            out.index_add_(0, rows, self.experts[e](x[rows]) * w[rows, slot].unsqueeze(-1))
        for s in self.shared:
            out = out + s(x)
        return out.reshape(shape)


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def alibi_slopes(heads):
    """Press et al. 2021: geometric slopes 2^(-8i/n) (n rounded up to a power of two, as in BLOOM)."""
    n = 2 ** math.ceil(math.log2(heads))
    s = [2 ** (-8.0 * (i + 1) / n) for i in range(n)]
    return torch.tensor((s[0::2] + s[1::2])[:heads] if n != heads else s)


class Attention(nn.Module):
    def __init__(self, spec, kind):
        super().__init__()
        a = kind["attention"]
        d = int(spec["hiddenSize"])
        self.heads, self.kv_heads, self.head_dim = int(a["heads"]), int(a["kvHeads"]), int(a["headDim"])
        self.group = self.heads // self.kv_heads
        self.window = int(kind.get("slidingWindow", 0))
        b = a["biases"]
        self.q = nn.Linear(d, self.heads * self.head_dim, bias=b["query"])
        self.k = nn.Linear(d, self.kv_heads * self.head_dim, bias=b["key"])
        self.v = nn.Linear(d, self.kv_heads * self.head_dim, bias=b["value"])
        self.o = nn.Linear(self.heads * self.head_dim, d, bias=b["output"])
        self.q_norm = make_norm(spec, self.head_dim) if a.get("qkNorm") else None
        self.k_norm = make_norm(spec, self.head_dim) if a.get("qkNorm") else None
        self.rotary = spec["positions"] == "ROTARY"
        self.alibi = spec["positions"] == "ALIBI"
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def cache_slots(self, capacity):
        return min(self.window, capacity) if self.window > 0 else capacity

    def _project(self, x, rope):
        """q (B, heads, T, hd), k and v (B, kvHeads, T, hd); ``rope`` is (cos, sin) of the T positions or None."""
        B, T, _ = x.shape
        q = self.q(x).view(B, T, self.heads, self.head_dim)
        k = self.k(x).view(B, T, self.kv_heads, self.head_dim)
        v = self.v(x).view(B, T, self.kv_heads, self.head_dim)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # (B, heads, T, headDim)
        if self.rotary:
            cos, sin = rope
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        return q, k, v

    def _attend(self, q, kt, v, bias):
        """q (B, kvH, G, Tq, hd) against keys kt (B, kvH, hd, Tk) and values v (B, kvH, Tk, hd): grouped heads
        share K and V without copies."""
        B, _, G, Tq, hd = q.shape
        s = torch.matmul(q.reshape(B, self.kv_heads, G * Tq, hd), kt) * self.scale
        s = s.view(B, self.kv_heads, G, Tq, -1) + bias
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(p.view(B, self.kv_heads, G * Tq, -1), v).view(B, self.kv_heads, G, Tq, hd)

    def _alibi(self, query_pos, key_pos):
        """ALiBi bias (kvH, G, Tq, Tk) for query and key positions."""
        dist = (query_pos.view(-1, 1) - key_pos.view(1, -1)).float()
        return (-self.slopes.view(self.kv_heads, self.group, 1, 1) * dist)

    def prefill(self, x, cache, rope):
        """All T prompt tokens at positions 0..T-1; writes the cache; attention in query chunks, every chunk
        against all T keys (the profiler counts T x T, not the causal half)."""
        B, T, _ = x.shape
        pos = torch.arange(T, device=x.device)
        q, k, v = self._project(x, rope)
        Kt, V = cache
        slots = V.shape[2]
        if T <= slots:
            Kt[:, :, :, :T] = k.transpose(-1, -2)
            V[:, :, :T] = v
        else:  # sliding-window ring holds the last `slots` positions at slot = position % slots
            keep = pos[T - slots:] % slots
            Kt[:, :, :, keep] = k[:, :, T - slots:].transpose(-1, -2)
            V[:, :, keep] = v[:, :, T - slots:]
        q = q.reshape(B, self.kv_heads, self.group, T, self.head_dim)
        chunk = max(1, min(T, PREFILL_SCORE_ELEMENTS // max(1, B * self.heads * T)))
        outs = []
        for c0 in range(0, T, chunk):
            c1 = min(T, c0 + chunk)
            qp = pos[c0:c1].view(-1, 1)
            allowed = pos.view(1, -1) <= qp
            if self.window > 0:
                allowed &= pos.view(1, -1) > qp - self.window
            bias = torch.zeros(c1 - c0, T, dtype=torch.float32, device=x.device).masked_fill_(~allowed, float("-inf"))
            if self.alibi:
                bias = bias + self._alibi(pos[c0:c1], pos)
            outs.append(self._attend(q[:, :, :, c0:c1], k.transpose(-1, -2), v, bias))
        o = torch.cat(outs, dim=3) if len(outs) > 1 else outs[0]
        o = o.reshape(B, self.heads, T, self.head_dim).transpose(1, 2).reshape(B, T, self.heads * self.head_dim)
        return self.o(o)

    def decode(self, x, cache, rope, position, masks):
        """One token per sequence at ``position``; attends over every cache slot with the unused ones masked."""
        B = x.shape[0]
        q, k, v = self._project(x, rope)
        Kt, V = cache
        slots = V.shape[2]
        slot = position % slots
        Kt[:, :, :, slot:slot + 1] = k.transpose(-1, -2)
        V[:, :, slot:slot + 1] = v
        bias = masks[slots]
        if self.alibi:
            slot_pos = torch.arange(slots, device=x.device)
            if position >= slots:  # ring: slot i holds the latest position p <= position with p % slots == i
                slot_pos = position - ((position - slot_pos) % slots)
            bias = bias + self._alibi(torch.tensor([position], device=x.device), slot_pos)
        q = q.reshape(B, self.kv_heads, self.group, 1, self.head_dim)
        o = self._attend(q, Kt, V, bias)
        return self.o(o.reshape(B, 1, self.heads * self.head_dim))


class Block(nn.Module):
    def __init__(self, spec, kind):
        super().__init__()
        d = int(spec["hiddenSize"])
        self.per_layer = int(spec["norms"]["perLayer"])
        self.attention = Attention(spec, kind)
        ff = kind["feedForward"]
        self.ffn = MoE(d, ff) if ff["type"] == "moe" else Mlp(d, ff)
        self.norms = nn.ModuleList(make_norm(spec, d) for _ in range(self.per_layer))

    def forward(self, x, attend):
        n = self.norms
        if self.per_layer == 0:
            h = x + attend(x)
            return h + self.ffn(h)
        if self.per_layer == 1:  # parallel attention and feed-forward over one norm (GPT-J style)
            y = n[0](x)
            return x + attend(y) + self.ffn(y)
        if self.per_layer == 2:  # pre-norm (GPT-2, Llama)
            h = x + attend(n[0](x))
            return h + self.ffn(n[1](h))
        h = x + n[1](attend(n[0](x)))  # 4: pre and post norms around each block (Gemma 2)
        return h + n[3](self.ffn(n[2](h)))


class Decoder(nn.Module):
    def __init__(self, spec):
        super().__init__()
        check_spec(spec)
        self.spec = spec
        d, vocab = int(spec["hiddenSize"]), int(spec["vocabSize"])
        self.embed = nn.Embedding(vocab, d)
        self.positions = nn.Embedding(int(spec["contextLength"]), d) if spec["positions"] == "LEARNED" else None
        self.blocks = nn.ModuleList(Block(spec, kind) for kind in layer_kinds(spec))
        self.final_norm = make_norm(spec, d) if spec["norms"]["finalNorm"] else None
        self.head = None if spec["tiedEmbeddings"] else nn.Linear(d, vocab, bias=False)
        self.rope = None
        self.masks = {}

    # ------------------------------------------------------------------ construction

    @staticmethod
    def build(spec, dtype, seed=0, device="cpu"):
        """The model on ``device`` in ``dtype`` with random weights, every page written (no default init, no fp32
        copy). The cache, masks and tables it makes later go to the same device (every factory call names it: a default
        device set with ``torch.set_default_device`` would put a Python mode in front of every op, several times the
        cost of a small GPU kernel)."""
        model = _build_on_meta(spec).to(dtype).to_empty(device=device)
        model._init_weights(seed)
        model.eval()
        model.requires_grad_(False)
        return model

    def _init_weights(self, seed):
        g = torch.Generator().manual_seed(seed)  # on the CPU, so every device gets the same weights
        first = next(self.parameters())
        pool = (torch.rand(1 << 20, generator=g, device="cpu") * 2 - 1).to(first.dtype).to(first.device)
        offset = 0
        for name, p in self.named_parameters():
            flat = p.data.view(-1)
            if name.endswith("bias") and p.dim() == 1 and "router" not in name:
                flat.zero_()
            elif p.dim() == 1:  # norm weights (and the router's selection bias)
                flat.fill_(1.0 if "router" not in name else 0.0)
            else:
                scale = 1.0 / math.sqrt(p.shape[-1]) if "embed" not in name and "positions" not in name else 0.05
                n = flat.numel()
                for start in range(0, n, pool.numel()):
                    m = min(pool.numel(), n - start)
                    o = offset % (pool.numel() - m + 1)
                    torch.mul(pool[o:o + m], scale, out=flat[start:start + m])
                    offset += 7919
        for blk in self.blocks:
            a = blk.attention
            if a.alibi:
                a.slopes = alibi_slopes(a.heads).to(first.device)

    def rope_tables(self, capacity, dtype):
        hd = {b.attention.head_dim for b in self.blocks}
        if len(hd) != 1:
            raise SpecError("layers with different attention.headDim need one rotary table each; not built")
        hd = hd.pop()
        dev = self.embed.weight.device
        inv = 1.0 / (ROPE_THETA ** (torch.arange(0, hd, 2, dtype=torch.float32, device=dev) / hd))
        ang = torch.outer(torch.arange(capacity, dtype=torch.float32, device=dev), inv)
        ang = torch.cat((ang, ang), dim=-1)
        return ang.cos().to(dtype), ang.sin().to(dtype)

    # ------------------------------------------------------------------ cache and forward

    def new_cache(self, batch, capacity, dtype, fill=0.01):
        """Per layer (K transposed, V): (batch, kvHeads, headDim, slots) and (batch, kvHeads, slots, headDim),
        written with ``fill`` so the pages are resident. K is stored transposed because q @ K^T over a transposed
        view ran up to 2x slower here (fp32, batch 16) than over a contiguous K^T."""
        if self.positions is not None and capacity > self.positions.num_embeddings:
            raise SpecError("context + generated = %d exceeds contextLength = %d of a learned position table"
                            % (capacity, self.positions.num_embeddings))
        if any(b.attention.rotary for b in self.blocks):
            self.rope = self.rope_tables(capacity, dtype)
        cache = []
        dev = self.embed.weight.device
        for b in self.blocks:
            a = b.attention
            slots = a.cache_slots(capacity)
            cache.append((torch.empty(batch, a.kv_heads, a.head_dim, slots, dtype=dtype, device=dev).fill_(fill),
                          torch.empty(batch, a.kv_heads, slots, a.head_dim, dtype=dtype, device=dev).fill_(fill)))
        return cache

    @staticmethod
    def cache_bytes(cache):
        return sum(t.numel() * t.element_size() for kv in cache for t in kv)

    def _embed(self, tokens, start):
        h = self.embed(tokens)
        if self.positions is not None:
            h = h + self.positions(torch.arange(start, start + tokens.shape[1], device=tokens.device))
        return h

    def _logits(self, h):
        if self.final_norm is not None:
            h = self.final_norm(h)
        return F.linear(h, self.embed.weight) if self.head is None else self.head(h)

    def prefill(self, tokens, cache, logits="all"):
        """Forward over the prompts (batch, T) at positions 0..T-1, filling the cache; logits of every position
        (as Hugging Face ``model(input_ids)`` returns them) or of the last one only."""
        h = self._embed(tokens, 0)
        T = tokens.shape[1]
        rope = (self.rope[0][:T], self.rope[1][:T]) if self.rope is not None else None
        for blk, kv in zip(self.blocks, cache):
            h = blk(h, lambda y, a=blk.attention, kv=kv: a.prefill(y, kv, rope))
        return self._logits(h if logits == "all" else h[:, -1:])

    def decode(self, tokens, cache, position):
        """One step: tokens (batch, 1) at ``position``; returns logits (batch, 1, vocab)."""
        masks = {}
        dev = tokens.device
        for _, V in cache:
            slots = V.shape[2]
            if slots not in masks:
                valid = (torch.arange(slots, device=dev) <= position if position < slots
                         else torch.ones(slots, dtype=torch.bool, device=dev))
                masks[slots] = torch.zeros(slots, dtype=torch.float32, device=dev).masked_fill_(~valid, float("-inf"))
        h = self._embed(tokens, position)
        rope = None
        if self.rope is not None:  # views of one row of the tables, computed once per step
            rope = (self.rope[0][position:position + 1], self.rope[1][position:position + 1])
        for blk, kv in zip(self.blocks, cache):
            h = blk(h, lambda y, a=blk.attention, kv=kv: a.decode(y, kv, rope, position, masks))
        return self._logits(h)


def _build_on_meta(spec):
    """Constructs the modules with meta tensors (no memory, no init); ``to_empty`` then allocates them once."""
    orig = nn.Module.register_parameter

    def register(self, name, param):
        if param is not None and param.device.type != "meta":
            param = nn.Parameter(torch.empty_like(param, device="meta"), requires_grad=param.requires_grad)
        return orig(self, name, param)

    # torch 1.13 has no torch.device context manager; nn.Linear and friends accept device=, but our own
    # modules create parameters with torch.empty, so intercept registration instead. Where the context manager
    # exists (torch >= 2.0) it is used too, so that no module makes its tensors first and drops them after.
    nn.Module.register_parameter = register
    try:
        if hasattr(torch, "set_default_device"):
            with torch.device("meta"):
                return Decoder(spec)
        return Decoder(spec)
    finally:
        nn.Module.register_parameter = orig


def count_parameters(model):
    """Sum of numel over parameters() (a tied head shares the embedding and counts once; buffers excluded)."""
    return sum(p.numel() for p in model.parameters())


def weight_bytes(model):
    return sum(p.numel() * p.element_size() for p in model.parameters())
