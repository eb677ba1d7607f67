#!/usr/bin/python3
"""Measures one point (spec, dtype, batch, context, generated) of the reference stack; prints ONE JSON line.

Run it in a fresh process per point (run.py does): the peak RSS of a process never goes down, and glibc keeps
freed memory, so a second point in the same process would inherit the first one's peak.

Order inside the process:
 1. ``import torch``; the peak RSS here is the torch baseline (``baseline_rss_bytes``).
 2. Build the model (random weights, every page written) and the KV cache of ``batch x (context + generated)``
    tokens (filled); RSS here is ``loaded_rss_bytes``.
 3. Decode: ``--warmup`` steps, whose peak RSS is ``peak_rss_decode_bytes``; then, with the allocator as a process
    under glibc's defaults settles (``common.timing_allocator``: the run's 64 KiB mmap threshold, which makes the peak
    follow the live tensors, would time page faults), ``--warmup`` steps more and ``--steps`` timed steps, all at the
    same position ``context`` (one new token for each of the ``batch`` sequences per step), attending over the whole
    cache with the tail masked, so every step costs the same as at any other position. Then VmHWM is reset to the
    current RSS (``/proc/self/clear_refs``).
 4. Prefill (unless ``--no-prefill``): one warm-up run, whose peak RSS is ``peak_rss_prefill_bytes``, then timed
    runs (median, p10, p90) with the timing allocator. Then one profiled run (``torch.profiler``,
    ``with_flops=True``) for the FLOPs. The profiled run comes last because the profiler keeps memory of its own (it
    raised the peak by 20-60 % and the allocator kept part of it for the runs after), which is not what the model
    needs; so does the check that the logits are finite (``isfinite`` over the logits of every position takes several
    times their size).
Decode runs first so that its peak is not inflated by what the allocator keeps after the prefill; it runs on the
filled cache, whose contents do not change the cost.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MATMUL_OPS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", help="strata spec JSON file")
    p.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--context", type=int, default=128, help="prompt tokens (prefill) = decode position")
    p.add_argument("--generated", type=int, default=1, help="KV cache room after the prompt (capacity = context + generated)")
    p.add_argument("--no-prefill", action="store_true", help="skip the prefill (decode only; the cache stays filled)")
    p.add_argument("--prefill-repeats", type=int, default=3, help="timed prefill runs after the warm-up (at most)")
    p.add_argument("--prefill-budget", type=float, default=4.0,
                   help="seconds of timed prefill runs after which no further repeat starts (at least one runs)")
    p.add_argument("--warmup", type=int, default=3, help="decode steps before timing")
    p.add_argument("--steps", type=int, default=10, help="timed decode steps (at least)")
    p.add_argument("--max-steps", type=int, default=50, help="timed decode steps (at most)")
    p.add_argument("--decode-budget", type=float, default=1.5,
                   help="seconds of timed decode after which no further step starts once --steps have run")
    p.add_argument("--logits", choices=("all", "last"), default="all",
                   help="prefill computes the logits of every prompt position (as Hugging Face model(input_ids)) or of the last")
    p.add_argument("--threads", type=int, default=0, help="torch threads; 0 = os.cpu_count()")
    p.add_argument("--device", choices=common.DEVICES, default="cpu",
                   help="where the model runs (cuda: PyTorch >= 2.0 with a GPU; memory is then the CUDA allocator's)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # accepted so every script shares a smoke test
    p.add_argument("--out", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def profile_flops(torch, fn):
    """Runs fn under the profiler; returns (matmul FLOPs, all FLOPs, FLOPs by op, result)."""
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU], with_flops=True, record_shapes=True) as prof:
        result = fn()
    by_op = {}
    for e in prof.key_averages():
        if e.flops:
            by_op[e.key] = by_op.get(e.key, 0) + int(e.flops)
    matmul = sum(v for k, v in by_op.items() if k in MATMUL_OPS)
    return matmul, sum(by_op.values()), by_op, result


def _setup(args):
    """torch imported and set up for the point's threads and device; returns (torch, threads)."""
    torch = common.import_torch()
    threads = common.setup_torch(torch, args.threads or None)
    common.setup_device(torch, args.device)
    return torch, threads


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    torch, threads = _setup(args)
    import model  # noqa: F401  (imports torch.nn: part of the baseline)
    common.print_json_line(measure(args, torch, threads))
    return 0


def in_process(argv):
    """One point in this process (run.py --device cuda: the allocator's peak is reset per point, so points need no
    process of their own, and a GPU process takes seconds to start). Before the first point, a product of each
    format runs, so that every point's baseline holds the cuBLAS workspaces as a fresh process's would after its
    first product. Returns the point's dict; a refused point raises SystemExit (common.fail)."""
    args = parse_args(argv)
    torch, threads = _setup(args)
    if args.device == "cuda":
        import gc
        gc.collect()
        torch.cuda.empty_cache()
        common.run_a_product_of_each_format(torch, "cuda")
    return measure(args, torch, threads)


def measure(args, torch, threads):
    """Measures the point ``args`` says; returns its dict (module docstring)."""
    memory = common.DeviceMemory(torch, args.device)
    sync = common.synchronizer(torch, args.device)
    if args.device == "cuda":
        memory.reset_peak()
    load_start = common.load_average()
    cpu_start = common.cpu_snapshot()
    import model as M
    baseline = memory.peak()
    if not args.spec:
        common.fail("--spec is required")
    if min(args.batch, args.context, args.generated, args.steps) < 1 or args.warmup < 0:
        common.fail("--batch, --context, --generated and --steps must be >= 1 (got %d, %d, %d, %d)"
                    % (args.batch, args.context, args.generated, args.steps))
    try:
        spec = M.load_spec(args.spec)
    except (OSError, ValueError, KeyError, TypeError) as e:
        common.fail("spec %s: %s" % (os.path.basename(args.spec), e))
    dtype = M.DTYPES[args.dtype]
    capacity = args.context + args.generated

    out = {"spec": os.path.basename(args.spec), "model": spec.get("name"), "dtype": args.dtype, "batch": args.batch,
           "context": args.context, "generated": args.generated, "kv_capacity_tokens": capacity,
           "prefill_logits": args.logits, "baseline_rss_bytes": baseline, "load_avg_start": load_start}
    out.update(common.provenance(torch, threads, args.device))

    with torch.inference_mode():
        t0 = time.perf_counter()
        try:
            model = M.Decoder.build(spec, dtype, seed=args.seed, device=args.device)
            cache = model.new_cache(args.batch, capacity, dtype)
        except M.SpecError as e:
            common.fail("spec %s: %s" % (os.path.basename(args.spec), e))
        out["build_seconds"] = time.perf_counter() - t0
        out["params"] = M.count_parameters(model)
        out["weights_bytes"] = M.weight_bytes(model)
        out["buffer_bytes"] = sum(t.numel() * t.element_size() for t in (model.rope or ()))
        out["kv_cache_bytes"] = M.Decoder.cache_bytes(cache)
        sync()
        out["loaded_rss_bytes"] = memory.current()
        if args.device == "cuda":  # the build's temporaries (the random pool) are not what the point needs
            memory.reset_peak()
        gen = torch.Generator().manual_seed(args.seed)  # CPU tokens, moved: the same prompts on every device
        vocab = int(spec["vocabSize"])
        finite = True

        token = torch.randint(0, vocab, (args.batch, 1), generator=gen, device="cpu").to(args.device)
        for _ in range(max(1, args.warmup)):  # the peak: under the run's memory threshold
            logits = model.decode(token, cache, args.context)
        sync()
        finite = finite and bool(torch.isfinite(logits).all())
        del logits
        out["peak_rss_decode_bytes"] = memory.peak()
        out["peak_reserved_decode_bytes"] = memory.peak_reserved()
        times = []
        with common.timing_allocator():  # the time: under glibc's usual threshold (common.timing_allocator)
            for _ in range(args.warmup):
                model.decode(token, cache, args.context)
            sync()
            start = time.perf_counter()
            while len(times) < args.steps or (len(times) < args.max_steps
                                              and time.perf_counter() - start < args.decode_budget):
                t = time.perf_counter()
                model.decode(token, cache, args.context)
                sync()
                times.append(time.perf_counter() - t)
        s = common.summary(times)
        out.update({"decode_seconds_per_step": s["median"], "decode_seconds_p10": s["p10"],
                    "decode_seconds_p90": s["p90"], "decode_steps": s["n"], "decode_warmup": args.warmup})
        out["peak_reset"] = memory.reset_peak()

        if not args.no_prefill:
            prompt = torch.randint(0, vocab, (args.batch, args.context), generator=gen, device="cpu").to(args.device)
            t = time.perf_counter()
            logits = model.prefill(prompt, cache, args.logits)  # warm-up (its logits are checked on the profiled run below:
            sync()
            out["prefill_warmup_seconds"] = time.perf_counter() - t  # isfinite over all of them needs several copies)
            del logits
            out["peak_rss_prefill_bytes"] = memory.peak()  # the peak: the warm-up, under the run's memory threshold
            out["peak_reserved_prefill_bytes"] = memory.peak_reserved()
            times = []
            with common.timing_allocator():  # the time: under glibc's usual threshold
                start = time.perf_counter()
                while len(times) < max(1, args.prefill_repeats):
                    t = time.perf_counter()
                    logits = model.prefill(prompt, cache, args.logits)
                    sync()
                    times.append(time.perf_counter() - t)
                    del logits
                    if time.perf_counter() - start > args.prefill_budget:
                        break
            s = common.summary(times)
            out.update({"prefill_seconds": s["median"], "prefill_seconds_p10": s["p10"],
                        "prefill_seconds_p90": s["p90"], "prefill_repeats": s["n"]})
            t = time.perf_counter()
            mm, total, by_op, logits = profile_flops(torch, lambda: model.prefill(prompt, cache, args.logits))
            out["prefill_profiled_seconds"] = time.perf_counter() - t
            finite = finite and bool(torch.isfinite(logits).all())
            del logits
            out["prefill_flops"] = mm
            out["prefill_flops_all_ops"] = total
            out["prefill_flops_by_op"] = by_op

    out["peak_rss_bytes"] = max(out.get("peak_rss_prefill_bytes", 0), out["peak_rss_decode_bytes"])
    if args.device == "cuda":
        out["peak_reserved_bytes"] = max(out.get("peak_reserved_prefill_bytes") or 0, out["peak_reserved_decode_bytes"])
    out["logits_finite"] = finite
    out["load_avg_end"] = common.load_average()
    out["other_cpu_cores"] = common.other_cpu_cores(cpu_start, common.cpu_snapshot())
    return out


if __name__ == "__main__":
    sys.exit(main())
