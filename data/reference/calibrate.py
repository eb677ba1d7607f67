#!/usr/bin/python3
"""Host calibration of the reference stack: the factors that turn strata's byte and FLOP counts into CPU time.

Measures, in one process, with medians and p10/p90 of repeated runs:
 * stream bandwidth: sum of a large fp32 tensor (bytes read) and copy (bytes read + written), GB/s;
 * matrix-vector bandwidth by (in, out) shape, fp32 and bf16: ``F.linear`` of one row (and of 16 rows for some
   shapes) against a ring of weight matrices that together are several times the last-level cache, so every call
   reads its weights from memory; GB/s of weights;
 * GEMM FLOP/s by size, fp32 and bf16 (``F.linear``, 2 FLOPs per multiply-accumulate);
 * KV-cache read bandwidth of one decode attention step (q @ K^T, softmax, @ V over a long cache), GB/s of cache;
 * fixed time per layer per decode step outside the matrix products: decode steps of tiny-width models (Llama-style,
   GPT-2 style, MoE) with 1..16 layers whose layers' products are replaced by their outputs (``without_products``),
   least-squares fit of step time = fixed + per_layer x layers;
 * the same time per layer among the products (``in_situ_layer``): decode steps of real-width Llama-style models
   (hidden width 256 to 2048, 2 to 8 layers) less the same products called back to back from memory, per layer. Between its
   products a layer's norms, rotary embedding, attention and Python run with caches the weights have just streamed
   through, which on the reference CPU takes up to 3x the time of the tiny models' warm-cache steps;
 * the memory capacity of the device (``device_memory_bytes``: the GPU's total memory, or the machine's RAM);
 * the resident memory of ``import torch`` alone and of the runtime once a model has run (CPU: a tiny model's
   prefill and decode steps in fp32 and bf16, the model freed: thread pools, BLAS and oneDNN buffers), or the bytes
   the CUDA allocator holds for the runtime's own use once a product of each format has run (cuBLAS workspaces;
   ``--device cuda``).
Writes ``<device>-calibration.json`` and ``<device>-calibration.csv`` into ``--out`` (one CSV row per factor; device
``cpu`` or ``cuda``); with ``--pass end`` (the driver's second calibration, after the points) the names end in
``-calibration-end``. On CUDA every timing waits for the GPU (``torch.cuda.synchronize``) before its clock stops, and
the sizes are larger (``CUDA_FULL``): the products must be long enough to time and the ring well beyond the L2 cache.
"""

import argparse
import csv
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MATVEC_SHAPES = [(768, 3072), (3072, 768), (896, 4864), (4864, 896), (2048, 2048), (2048, 8192), (8192, 2048),
                 (4096, 4096), (4096, 14336), (14336, 4096),
                 # small matrices (0.1-2 MiB in bf16), where the fixed cost of a call outweighs the bytes: decode steps of
                 # small models and the k/v projections and experts of larger ones are made of them
                 (256, 1024), (1024, 256), (512, 512), (1024, 1024)]
MATVEC_BATCHED = [(2048, 8192, 4), (2048, 8192, 16), (8192, 2048, 4), (8192, 2048, 16)]  # (in, out, rows): batch decode
GEMM_SIZES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (128, 2048, 8192),
              (128, 8192, 2048)]  # (m, k, n): m rows times a k x n weight
OVERHEAD_LAYERS = [1, 2, 4, 8, 16]
# real-width Llama-style models whose layer time outside the products is measured among their products (in_situ_layer):
# hidden widths (64 per head, a KV head per 4 query heads, feed-forward 2.75 x width) and layer counts
IN_SITU_WIDTHS = [256, 512, 1024, 2048]
IN_SITU_LAYERS = [2, 4, 8]
SYNC = lambda: None  # noqa: E731  (torch.cuda.synchronize on CUDA: set by main)
DEVICE = "cpu"

QUICK = {"stream_bytes": 256 << 20, "matvec_ring_bytes": 128 << 20, "matvec_shapes": [(2048, 2048), (4096, 4096), (256, 1024), (1024, 256), (512, 512)],
         "matvec_batched": [(2048, 2048, 16)], "matvec_rounds": 3, "gemm_sizes": [(512, 512, 512), (1024, 1024, 1024)], "overhead_layers": [1, 4, 16],
         "overhead_kinds": ["llama"], "in_situ_widths": [256], "in_situ_layers": [1, 2], "kv_bytes": 32 << 20, "repeats": 3, "steps": 20, "output_shape": (1024, 256, 32000)}
FULL = {"stream_bytes": 1 << 30, "matvec_ring_bytes": 256 << 20, "matvec_shapes": MATVEC_SHAPES,
        "matvec_batched": MATVEC_BATCHED, "matvec_rounds": 11, "gemm_sizes": GEMM_SIZES, "overhead_layers": OVERHEAD_LAYERS,
        "overhead_kinds": ["llama", "gpt2", "moe"], "in_situ_widths": IN_SITU_WIDTHS, "in_situ_layers": IN_SITU_LAYERS, "kv_bytes": 256 << 20, "repeats": 5, "steps": 30,
        "output_shape": (1024, 256, 32000)}
# A GPU: a ring of 1 GiB (20x the H100's 50 MB L2), GEMMs up to 8192^3 (tensor cores saturate late), more repeats
# (each product takes microseconds), a KV read of 1 GiB.
CUDA_FULL = dict(FULL, stream_bytes=2 << 30, matvec_ring_bytes=1 << 30, kv_bytes=1 << 30, repeats=20, steps=50,
                 gemm_sizes=GEMM_SIZES + [(4096, 4096, 4096), (8192, 8192, 8192), (512, 4096, 14336),
                                          (2048, 8192, 8192)])
CUDA_QUICK = dict(QUICK, repeats=10)


def timed(fn, repeats, warmup=1, budget=None):
    for _ in range(warmup):
        fn()
    SYNC()
    times = []
    start = time.perf_counter()
    while len(times) < repeats:
        t = time.perf_counter()
        fn()
        SYNC()
        times.append(time.perf_counter() - t)
        if budget is not None and len(times) >= 3 and time.perf_counter() - start > budget:
            break
    return common.summary(times)


def timed_in_rounds(fns, rounds, calls_per_round=1):
    """Times every function of ``fns`` in ``rounds`` interleaved rounds (each round calls each function
    ``calls_per_round`` times), so that a machine whose speed drifts slows all of them alike; one list of times per
    function."""
    times = [[] for _ in fns]
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            for _ in range(calls_per_round):
                t = time.perf_counter()
                fn()
                SYNC()
                times[k].append(time.perf_counter() - t)
    return times


def rate(amount, s):
    """amount / time for the median, and the p10/p90 of the rate (p10 of the rate comes from p90 of the time)."""
    return amount / s["median"], amount / s["p90"], amount / s["p10"]


def stream(torch, cfg):
    n = cfg["stream_bytes"] // 4
    a = torch.empty(n, dtype=torch.float32, device=DEVICE).fill_(1.0)
    b = torch.empty_like(a).fill_(0.0)
    rows = []
    s = timed(lambda: a.sum(), cfg["repeats"])
    rows.append(row("stream_sum_bandwidth", "fp32", None, None, n, rate(4 * n / 1e9, s), "GB/s", s,
                    "bytes read / time of tensor.sum() over %d MiB" % (4 * n >> 20)))
    s = timed(lambda: b.copy_(a), cfg["repeats"])
    rows.append(row("stream_copy_bandwidth", "fp32", None, None, n, rate(8 * n / 1e9, s), "GB/s", s,
                    "(bytes read + bytes written) / time of copy_ over %d MiB" % (4 * n >> 20)))
    return rows


def matvec(torch, cfg):
    """Matrix-vector bandwidth by shape, timed in rounds: each round sweeps every shape's ring once, and each shape's
    figure is the median over the rounds. A machine whose bandwidth drifts (a shared VM: a third between minutes) then
    slows every shape alike instead of the few that happened to be timed in a slow minute, which would bend the fitted
    shape curve."""
    import torch.nn.functional as F
    rows = []
    cases = [(i, o, 1) for i, o in cfg["matvec_shapes"]] + list(cfg["matvec_batched"])
    for dtype_name in ("bf16", "fp32"):
        dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
        es = torch.tensor([], dtype=dtype).element_size()
        # one buffer, written once, viewed as a ring of matrices of each shape (first touch is slow in a VM)
        buf = torch.empty(cfg["matvec_ring_bytes"] // es, dtype=dtype, device=DEVICE).fill_(0.01)
        sweeps = []
        for i, o, m in cases:
            per = i * o * es
            count = cfg["matvec_ring_bytes"] // per  # the ring is >= 5x the 48 MiB L3 of the machines seen
            if count < 1:
                continue
            ring = [buf[j * i * o:(j + 1) * i * o].view(o, i) for j in range(count)]
            x = torch.randn(m, i).to(dtype).to(DEVICE)

            def sweep(ring=ring, x=x):
                for w in ring:
                    F.linear(x, w)
            sweep()  # warm-up
            sweeps.append(((i, o, m, count, per), sweep))
        SYNC()
        times = timed_in_rounds([sweep for _, sweep in sweeps], cfg["matvec_rounds"])
        for ((i, o, m, count, per), _), ts in zip(sweeps, times):
            s = common.summary(ts)
            rows.append(row("matvec_bandwidth", dtype_name, m, (i, o), None, rate(count * per / 1e9, s), "GB/s", s,
                            "weight bytes / time of F.linear(x[%d, in], W[out, in]) over a ring of %d matrices "
                            "(%d MiB, out of cache); median of %d rounds over all shapes"
                            % (m, count, count * per >> 20, len(ts))))
        del sweeps, buf
    return rows


def gemm(torch, cfg):
    import torch.nn.functional as F
    rows = []
    for dtype_name in ("fp32", "bf16"):
        dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
        for m, k, n in cfg["gemm_sizes"]:
            x = torch.randn(m, k).to(dtype).to(DEVICE)
            w = (torch.randn(n, k) * 0.01).to(dtype).to(DEVICE)
            flops = 2.0 * m * k * n
            s = timed(lambda: F.linear(x, w), 20, warmup=1, budget=0.6)
            rows.append(row("gemm_flops", dtype_name, m, (k, n), None, rate(flops / 1e9, s), "GFLOP/s", s,
                            "2 m k n / time of F.linear(x[m, k], W[n, k])"))
    return rows


def product_output(torch, cfg):
    """Peak memory of a matrix product's output per element: what a model's output head needs per logit. A library
    may compute a 16-bit product in fp32 and convert the result (PyTorch's bf16 products on a CPU without bf16
    instructions: 2 + 4 bytes an element at the peak); a GPU writes the 16-bit result directly (2 bytes)."""
    import torch.nn.functional as F
    memory = common.DeviceMemory(torch, DEVICE)
    rows = []
    m, k, n = cfg["output_shape"]
    for dtype_name in ("bf16", "fp32"):
        dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
        x = torch.randn(m, k).to(dtype).to(DEVICE)
        w = (torch.randn(n, k) * 0.01).to(dtype).to(DEVICE)
        F.linear(x[:8], w)  # the library's one-time buffers are not the output's
        SYNC()
        samples = []
        for _ in range(3):
            before = memory.current()
            memory.reset_peak()
            y = F.linear(x, w)
            SYNC()
            samples.append((memory.peak() - before) / float(m * n))
            del y
        samples.sort()
        rows.append(row("product_output_bytes", dtype_name, m, (k, n), m * n, (samples[1], samples[0], samples[2]),
                        "bytes/element", {"n": len(samples)},
                        "peak %s growth during F.linear(x[%d, %d], W[%d, %d]) per output element (median of 3)"
                        % ("allocated CUDA memory" if DEVICE == "cuda" else "RSS", m, k, n, k)))
        del x, w
    return rows


def kv_read(torch, cfg):
    """One decode attention step over a long cache: the cost per byte of K and V (batch 1, 8 KV heads of 64, 4 query
    heads per KV head, fixed-size cache, no mask beyond the end)."""
    import torch.nn.functional as F
    rows = []
    for dtype_name in ("bf16", "fp32"):
        dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
        es = torch.tensor([], dtype=dtype).element_size()
        kv, hd, g = 8, 64, 4
        slots = cfg["kv_bytes"] // (2 * kv * hd * es)
        kt = torch.empty(1, kv, hd, slots, dtype=dtype, device=DEVICE).fill_(0.01)
        v = torch.empty(1, kv, slots, hd, dtype=dtype, device=DEVICE).fill_(0.01)
        q = torch.randn(1, kv, g, hd).to(dtype).to(DEVICE)

        def step():
            p = F.softmax(torch.matmul(q, kt) * 0.125, dim=-1, dtype=torch.float32).to(dtype)
            return torch.matmul(p, v)
        s = timed(step, cfg["repeats"] * 2, warmup=2)
        rows.append(row("kv_read_bandwidth", dtype_name, 1, (slots, kv * hd), None,
                        rate(2 * kv * hd * slots * es / 1e9, s), "GB/s", s,
                        "K and V bytes / time of one decode attention step over %d cached tokens "
                        "(8 KV heads x 64, 4 query heads each)" % slots))
        del kt, v
    return rows


def runtime_rss(torch):
    """RSS of this process once a tiny Llama-style model (2 layers, d=64) has prefilled 32 tokens and decoded 3 steps
    in fp32 and in bf16 and been freed: what the runtime keeps for itself after its first model (OpenMP threads,
    BLAS and oneDNN buffers; about 13 MB above ``import torch`` here). Run before anything else in the process, whose
    later benchmarks would leave their own freed memory behind."""
    import gc
    import model as M
    with torch.inference_mode():
        for dtype_name in ("fp32", "bf16"):
            dtype = M.DTYPES[dtype_name]
            m = M.Decoder.build(overhead_spec("llama", 2), dtype, device=DEVICE)
            cache = m.new_cache(1, 64, dtype)
            tokens = torch.zeros(1, 32, dtype=torch.long, device=DEVICE)
            m.prefill(tokens, cache)
            for _ in range(3):
                m.decode(tokens[:, :1], cache, 32)
            del m, cache, tokens
    gc.collect()
    return common.rss_bytes()


def device_memory_bytes(torch, cuda):
    """The memory capacity of the device the benchmarks run on: the GPU's total memory, or the machine's RAM."""
    if cuda:
        return int(torch.cuda.get_device_properties(torch.device(DEVICE)).total_memory)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def overhead_spec(kind, layers):
    import models
    if kind == "llama":
        return models.llama("overhead-llama", 256, 64, layers, 2, 1, 32, 128, tied=True, context=4096)
    if kind == "gpt2":
        return models.gpt2("overhead-gpt2", 256, 64, layers, 2, context=1024)
    return models.moe("overhead-moe", 256, 64, layers, 2, 1, 32, 64, routed=4, shared=1, top_k=2, tied=True)


def without_products(torch, m):
    """``m`` with every matrix product of its layers replaced by its output, a tensor made once per input shape: what
    is left of a decode step is the per-layer work outside the products (norms, rotary embedding, activations,
    residual adds, views, the attention over the cache, routing, Python), which strata adds to the products' own
    time. The tied output head stays a product (one per step)."""
    import torch.nn as nn

    class Output(nn.Module):
        def __init__(self, linear):
            super().__init__()
            self.features, self.dtype, self.device, self.made = linear.out_features, linear.weight.dtype, linear.weight.device, {}

        def forward(self, x):
            y = self.made.get(x.shape[:-1])
            if y is None:
                y = self.made[x.shape[:-1]] = torch.full((*x.shape[:-1], self.features), 0.01, dtype=self.dtype, device=self.device)
            return y

    for block in m.blocks:
        for name, parent in list(block.named_modules()):
            for child_name, child in list(parent.named_children()):
                if isinstance(child, nn.Linear):
                    setattr(parent, child_name, Output(child))
    return m


def layer_overhead(torch, cfg):
    """Decode-step time of tiny-width models without their layers' matrix products (``without_products``) against
    their layer count; the slope is the per-layer time outside the products, the intercept the per-step time."""
    import model as M
    rows = []
    for kind in cfg["overhead_kinds"]:
        for dtype_name in ("bf16", "fp32"):
            dtype = M.DTYPES[dtype_name]
            # the models of every layer count are timed in rounds (a few steps of each per round), so that a drift of
            # the machine does not bend the slope
            steps, rounds = [], 5
            tok = torch.zeros(1, 1, dtype=torch.long, device=DEVICE)
            for L in cfg["overhead_layers"]:
                m = without_products(torch, M.Decoder.build(overhead_spec(kind, L), dtype, device=DEVICE))
                cache = m.new_cache(1, 32, dtype)
                steps.append((L, lambda m=m, cache=cache: m.decode(tok, cache, 16)))
            with torch.inference_mode():
                for _, step in steps:
                    for _ in range(5):
                        step()
                SYNC()
                times = timed_in_rounds([step for _, step in steps], rounds, max(1, cfg["steps"] // rounds))
            points = [(L, common.summary(ts)["median"]) for (L, _), ts in zip(steps, times)]
            fixed, per_layer = fit_line(points)
            detail = "; ".join("%d layers %.3f ms" % (L, t * 1e3) for L, t in points)
            rows.append(row("decode_glue_per_layer", dtype_name, None, None, None, (per_layer, None, None),
                            "s", None, "%s-style tiny-width model (d=64) without its layers' matrix products: slope of "
                            "the decode-step time over layers (least squares): %s" % (kind, detail), variant=kind))
            rows.append(row("decode_glue_fixed", dtype_name, None, None, None, (fixed, None, None), "s", None,
                            "%s-style tiny-width model without its layers' products: intercept of the same fit "
                            "(embedding, the output head's product, Python per step)" % kind, variant=kind))
    return rows


def in_situ_spec(width, layers):
    import models
    return models.llama("in-situ-%d" % width, 256, width, layers, width // 64, max(1, width // 256), 64, width * 11 // 4,
                        tied=True, context=4096)


def in_situ_layer(torch, cfg):
    """Per hidden width: decode steps (batch 1, 128 cached tokens) of Llama-style models of several layer counts, and
    the same models' layer products (``F.linear`` on their weights and biases, in layer order, from memory: copies of
    the weights fill a ring as in ``matvec``) called back to back, timed in interleaved rounds. The slope of the step
    time over layers less the slope of the products' time is the time per layer outside the products as it runs in a
    model (what ``layer_overhead`` measures with warm caches)."""
    import gc
    import torch.nn as nn
    import torch.nn.functional as F
    import model as M
    rows = []
    position = 128
    for width in cfg["in_situ_widths"]:
        for dtype_name in ("bf16", "fp32"):
            dtype = M.DTYPES[dtype_name]
            tok = torch.zeros(1, 1, dtype=torch.long, device=DEVICE)
            fns, keep = [], []
            for L in cfg["in_situ_layers"]:
                m = M.Decoder.build(in_situ_spec(width, L), dtype, device=DEVICE)
                cache = m.new_cache(1, position + 32, dtype)
                linears = [mod for blk in m.blocks for mod in blk.modules() if isinstance(mod, nn.Linear)]
                xs = {k: torch.full((1, 1, k), 0.01, dtype=dtype, device=DEVICE) for k in {lin.in_features for lin in linears}}
                # the products alone read their weights from memory, as strata's products do (matvec's ring): a small
                # model's weights are copied until the copies fill the ring, and each call takes the next copy
                model_bytes = sum(lin.weight.numel() * lin.weight.element_size() for lin in linears)
                ring = [[(lin.in_features, lin.weight, lin.bias) for lin in linears]]
                for _ in range(max(1, -(-cfg["matvec_ring_bytes"] // model_bytes)) - 1):
                    ring.append([(k, w.clone(), None if b is None else b.clone()) for k, w, b in ring[0]])
                turn = [0]

                def products(ring=ring, xs=xs, turn=turn):
                    turn[0] = (turn[0] + 1) % len(ring)
                    for k, w, b in ring[turn[0]]:
                        F.linear(xs[k], w, b)
                fns.append(lambda m=m, cache=cache: m.decode(tok, cache, position))
                fns.append(products)
                keep.append((m, cache, ring))
            with torch.inference_mode():
                for fn in fns:
                    for _ in range(3):
                        fn()
                SYNC()
                times = timed_in_rounds(fns, 5, max(1, cfg["steps"] // 10))
            med = [common.summary(ts)["median"] for ts in times]
            step_times = list(zip(cfg["in_situ_layers"], med[0::2]))
            product_times = list(zip(cfg["in_situ_layers"], med[1::2]))
            per_layer = fit_line(step_times)[1] - fit_line(product_times)[1]
            detail = "; ".join("%d layers %.3f ms (products %.3f ms)" % (L, s * 1e3, p * 1e3)
                               for (L, s), (_, p) in zip(step_times, product_times))
            rows.append(row("decode_in_situ_per_layer", dtype_name, 1, (width, None), None, (per_layer, None, None), "s",
                            None, "llama-style model of hidden width %d among its products (128 cached tokens): slope of "
                            "the decode-step time over layers less the slope of the same products called back to back from "
                            "memory: %s" % (width, detail), variant="llama"))
            del fns, keep
            gc.collect()
    return rows


def fit_line(points):
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / sxx if sxx else 0.0
    return my - slope * mx, slope


def row(factor, dtype, m, kn, elements, values, unit, s, note, variant=""):
    value, lo, hi = values
    k, n = kn if kn else (None, None)
    return {"factor": factor, "variant": variant, "dtype": dtype, "m": m, "k": k, "n": n, "elements": elements,
            "value": value, "unit": unit, "spread_p10": lo, "spread_p90": hi,
            "repeats": s["n"] if s else None, "note": note}


CSV_COLUMNS = ["factor", "variant", "dtype", "m", "k", "n", "elements", "value", "unit", "spread_p10", "spread_p90",
               "repeats", "note", "machine", "cores", "threads", "torch_version", "blas", "omp_wait_policy",
               "load_avg_1m", "other_cpu_cores", "date", "command", "malloc_mmap_threshold"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes and few shapes (a few seconds)")
    p.add_argument("--out", default=".", help="directory for <device>-calibration.json and <device>-calibration.csv")
    p.add_argument("--threads", type=int, default=0, help="torch threads; 0 = os.cpu_count()")
    p.add_argument("--device", choices=common.DEVICES, default="cpu", help="what is calibrated (cuda: PyTorch >= 2.0)")
    p.add_argument("--pass", dest="run_pass", choices=("start", "end"), default="start",
                   help="the calibration before a run's points (start) or after them (end: files <device>-calibration-end.*)")
    p.add_argument("--command", help=argparse.SUPPRESS)  # the driver's command line, for provenance
    return p.parse_args(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    torch = common.import_torch()
    threads = common.setup_torch(torch, args.threads or None)
    global SYNC, DEVICE
    DEVICE = args.device
    cuda = args.device == "cuda"
    import_rss = common.peak_rss_bytes()
    common.setup_device(torch, args.device)
    SYNC = common.synchronizer(torch, args.device)
    cfg = (CUDA_QUICK if args.quick else CUDA_FULL) if cuda else (QUICK if args.quick else FULL)
    load_start = common.load_average()
    cpu_start = common.cpu_snapshot()
    prov = common.provenance(torch, threads, args.device)
    prov["command"] = args.command or common.command_line("calibrate.py", argv)
    t0 = time.perf_counter()
    if cuda:
        common.run_a_product_of_each_format(torch, DEVICE)
        rows = [row("cuda_runtime_allocated", "", None, None, None, (int(torch.cuda.memory_allocated()), None, None),
                    "bytes", None, "bytes the CUDA caching allocator holds for the runtime once a product of each "
                    "format has run (cuBLAS workspaces): in torch.cuda.max_memory_allocated, not a tensor of the model")]
    else:
        rows = [row("torch_import_rss", "", None, None, None, (import_rss, None, None), "bytes", None,
                    "peak RSS of a process after import torch (and set_num_threads) only"),
                row("torch_runtime_rss", "", None, None, None, (runtime_rss(torch), None, None), "bytes", None,
                    "RSS of the same process once a tiny model (2 layers, d=64) has prefilled and decoded in fp32 "
                    "and bf16 and been freed: the runtime's own memory in a process that has run a model")]
    rows.append(row("device_memory_bytes", "", None, None, None, (device_memory_bytes(torch, cuda), None, None), "bytes",
                    None, "total memory of the device: torch.cuda.get_device_properties().total_memory" if cuda
                    else "total memory of the machine (physical pages x page size)"))
    for part in (stream, matvec, gemm, product_output, kv_read, layer_overhead, in_situ_layer):
        sys.stderr.write("calibration: %s...\n" % part.__name__)
        if part is product_output:  # a memory measurement: under the run's mmap threshold, as the points' peaks are
            rows.extend(part(torch, cfg))
        else:  # timings: with the allocator the points' timings have (common.timing_allocator)
            with common.timing_allocator():
                rows.extend(part(torch, cfg))
    load_end = common.load_average()
    other = common.other_cpu_cores(cpu_start, common.cpu_snapshot())
    result = {"provenance": prov, "load_avg_start": load_start, "load_avg_end": load_end, "other_cpu_cores": other,
              "seconds": time.perf_counter() - t0, "mode": "quick" if args.quick else "full", "factors": rows}
    if args.out != os.devnull:
        os.makedirs(args.out, exist_ok=True)
        name = args.device + ("-calibration-end" if args.run_pass == "end" else "-calibration")
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
            f.write("\n")
        with open(os.path.join(args.out, name + ".csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(CSV_COLUMNS)
            for r in rows:
                r = dict(r, load_avg_1m=max(load_start or 0, load_end or 0), other_cpu_cores=other, **prov)
                w.writerow([common.csv_cell(r.get(c)) for c in CSV_COLUMNS])
    common.print_json_line({"calibration_seconds": result["seconds"], "factors": len(rows)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
