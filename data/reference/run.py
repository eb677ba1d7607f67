#!/usr/bin/python3
"""The reference-stack driver: host calibration, then a grid of measured points, each in a fresh process.

    /usr/bin/python3 data/reference/run.py --quick --out target/reference          # CI live check, < 1 minute
    /usr/bin/python3 data/reference/run.py --full --out data/src/main/resources/dev/strata/data/measured

Writes into --out: cpu-reference.csv (one row per point and measured quantity), cpu-reference.jsonl (the raw
line of every point), cpu-reference-run.json (the run: command, times, load, failures), cpu-calibration.json and
cpu-calibration.csv (calibrate.py; --full calibrates again after the points, into cpu-calibration-end.*), and
specs/<model>.json (the strata spec of every model measured). With --device cuda the files are named cuda-* instead
of cpu-*.

Exit codes: 0 all points measured; 2 bad options; 3 PyTorch missing or broken (one line on stderr);
4 some point failed (the CSV holds the others; the failures are listed in cpu-reference-run.json).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402
import models  # noqa: E402

GENERATED = 16  # KV cache room after the prompt at every point: capacity = context + 16

# (model, dtypes, batch, context, prefill measured). Decode-only points (False) reach long contexts and large
# batches without a prefill that would take minutes on two cores; their cache is filled, not prefilled.
BOTH = ("fp32", "bf16")
FULL_GRID = [
    ("llama-11m", BOTH, 1, 128, True), ("llama-11m", BOTH, 1, 2048, True), ("llama-11m", BOTH, 16, 256, True),
    ("llama-11m", BOTH, 1, 4096, False), ("llama-11m", BOTH, 16, 4096, False),
    ("gpt2-124m", BOTH, 1, 128, True), ("gpt2-124m", BOTH, 4, 128, True), ("gpt2-124m", BOTH, 1, 1008, False),
    ("gpt2-124m", BOTH, 16, 1008, False),
    ("moe-194m", BOTH, 1, 128, True), ("moe-194m", BOTH, 4, 128, True), ("moe-194m", BOTH, 1, 1024, False),
    ("moe-194m", BOTH, 16, 4096, False),
    ("qwen2.5-0.5b", BOTH, 1, 128, True), ("qwen2.5-0.5b", BOTH, 1, 4096, False),
    ("qwen2.5-0.5b", BOTH, 16, 1024, False),
    ("llama-3.2-1b", BOTH, 1, 64, True), ("llama-3.2-1b", BOTH, 4, 4096, False), ("llama-3.2-1b", BOTH, 16, 512, False),
]
# A GPU (--device cuda): the same models and points, every one prefilled (seconds on a GPU), plus an 8B model whose
# decode is long enough per step to be bandwidth-bound rather than launch-bound.
CUDA_FULL_GRID = [(m, dts, b, c, True) for m, dts, b, c, _ in FULL_GRID] + [
    ("llama-3-8b", BOTH, 1, 128, True), ("llama-3-8b", BOTH, 1, 4096, True), ("llama-3-8b", BOTH, 16, 1024, True),
    ("llama-3-8b", BOTH, 4, 4096, True),
]
QUICK_GRID = [
    ("tiny-llama", ("fp32",), 1, 64, True), ("tiny-llama", ("bf16",), 2, 128, True),
    ("tiny-gpt2", ("fp32",), 2, 64, True), ("tiny-moe", ("fp32",), 2, 64, True),
]
MEASURE_OPTIONS = {
    "full": ["--warmup", "2", "--steps", "10", "--max-steps", "50", "--decode-budget", "1.5",
             "--prefill-repeats", "3", "--prefill-budget", "3"],
    # a GPU: steps take milliseconds and its host is shared, so more of them (the median of up to 200)
    "cuda-full": ["--warmup", "5", "--steps", "30", "--max-steps", "200", "--decode-budget", "2",
                  "--prefill-repeats", "5", "--prefill-budget", "3"],
    "quick": ["--warmup", "2", "--steps", "5", "--max-steps", "20", "--decode-budget", "0.3",
              "--prefill-repeats", "2", "--prefill-budget", "0.5"],
}

CSV_COLUMNS = ["quantity", "model", "spec", "dtype", "batch", "context", "generated", "measured", "unit",
               "spread_p10", "spread_p90", "repeats", "baseline_rss_bytes", "kv_capacity_tokens", "prefill_logits",
               "machine", "cores", "threads", "omp_wait_policy", "torch_version", "blas", "load_avg_1m",
               "other_cpu_cores", "loaded_machine", "date", "command", "note", "device", "malloc_mmap_threshold"]

# Quantities written per point: (quantity, key in measure.py's line, unit, p10 key, p90 key, repeats key, note)
QUANTITIES = [
    ("params", "params", "count", None, None, None, "sum of numel over parameters() (tied head counted once)"),
    ("weights_bytes", "weights_bytes", "bytes", None, None, None, "sum of numel x element size over parameters()"),
    ("kv_cache_bytes", "kv_cache_bytes", "bytes", None, None, None,
     "K and V tensors allocated for batch x kv_capacity_tokens (sliding-window layers: at most the window)"),
    ("loaded_rss_bytes", "loaded_rss_bytes", "bytes", None, None, None,
     "process RSS after weights and the filled cache, before any forward pass (includes baseline_rss_bytes)"),
    ("prefill_flops", "prefill_flops", "FLOP", None, None, None,
     "torch.profiler with_flops: aten::mm+addmm+bmm+baddbmm of one prefill; attention counted full (T x T), "
     "logits per prefill_logits"),
    ("prefill_flops_all_ops", "prefill_flops_all_ops", "FLOP", None, None, None,
     "every op torch.profiler counts, element-wise aten::mul and aten::add included"),
    ("prefill_seconds", "prefill_seconds", "s", "prefill_seconds_p10", "prefill_seconds_p90", "prefill_repeats",
     "median wall time of the prefill of batch x context tokens after one warm-up run"),
    ("decode_seconds_per_token", "decode_seconds_per_step", "s", "decode_seconds_p10", "decode_seconds_p90",
     "decode_steps", "median wall time of one decode step (one token for each of the batch sequences) at position "
                     "context, attending over the whole fixed-size cache"),
    ("peak_memory_bytes_decode", "peak_rss_decode_bytes", "bytes", None, None, None,
     "process peak RSS (VmHWM) through the decode steps (includes baseline_rss_bytes)"),
    ("peak_memory_bytes_prefill", "peak_rss_prefill_bytes", "bytes", None, None, None,
     "process peak RSS during the warm-up and timed prefill runs (the profiled run comes after), VmHWM reset after "
     "decoding (includes baseline_rss_bytes)"),
    ("peak_memory_bytes", "peak_rss_bytes", "bytes", None, None, None,
     "process peak RSS of the point: the larger of the decode and prefill peaks (includes baseline_rss_bytes)"),
    ("peak_memory_reserved_bytes", "peak_reserved_bytes", "bytes", None, None, None,
     "torch.cuda.max_memory_reserved of the point (--device cuda): what the caching allocator took from the GPU"),
]
# glibc's mmap threshold for the CPU's measuring processes (see --malloc-mmap-threshold): 64 KiB, fixed, so that a
# freed tensor's pages leave the process and the peak RSS follows the live tensors (docs/architecture.md, "Reference stack")
MALLOC_MMAP_THRESHOLD = 64 * 1024
LOADED_OTHER_CORES = 0.25  # other processes kept at least this many cores busy: the point is marked loaded


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true", help="tiny models, a few points, reduced calibration (< 1 min)")
    mode.add_argument("--full", action="store_true", help="the shipped validation set (a few minutes)")
    p.add_argument("--out", required=True, help="output directory (created)")
    p.add_argument("--models", help="comma-separated subset of the grid's models (for development)")
    p.add_argument("--no-calibration", action="store_true", help="skip calibrate.py (for development)")
    p.add_argument("--omp-wait-policy", choices=("passive", "active", "default"), default="default",
                   help="OMP_WAIT_POLICY of the measuring processes (default: unset, OpenMP's own: threads spin a "
                        "while, then sleep). passive makes every parallel region wake its threads (Llama 3.2 1B's bf16 "
                        "decode step took 177-302 ms instead of 135-140 here) but keeps a busy machine from slowing "
                        "spinning threads by up to 20x")
    p.add_argument("--malloc-mmap-threshold", default=str(MALLOC_MMAP_THRESHOLD),
                   help="MALLOC_MMAP_THRESHOLD_ (bytes) of the measuring processes on the CPU, or 'default' for "
                        "glibc's own (default %(default)s: every tensor of 64 KiB or more gets pages of its own that go "
                        "back to the system when it is freed, so the peak RSS is what the live tensors and the "
                        "runtime hold; with glibc's sliding threshold a process keeps a freed layer's working set "
                        "and its RSS peak counts it beside the logits)")
    p.add_argument("--threads", type=int, default=0, help="torch threads; 0 = os.cpu_count()")
    p.add_argument("--point-timeout", type=int, default=600, help="seconds before a point is abandoned")
    p.add_argument("--device", choices=common.DEVICES, default="cpu",
                   help="where the models run: cpu (the shipped run) or cuda (PyTorch >= 2.0 with a GPU; files are "
                        "then named cuda-*: cuda-reference.csv, cuda-calibration.csv, ...)")
    return p.parse_args(argv)


class Progress:
    """A progress bar with ETA on stderr; ETA from estimated cost, corrected by the measured pace."""

    def __init__(self, costs):
        self.costs = costs
        self.total = sum(costs)
        self.done = 0.0
        self.index = 0
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()

    def show(self, label):
        elapsed = time.monotonic() - self.start
        frac = self.done / self.total if self.total else 1.0
        eta = elapsed * (1 - frac) / frac if frac > 0 else sum(self.costs[self.index:])
        width = 24
        bar = "#" * int(round(frac * width))
        line = "[%-*s] %3d%% %d/%d elapsed %s ETA %s  %s" % (width, bar, int(frac * 100), self.index, len(self.costs),
                                                          _clock(elapsed), _clock(eta), label)
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def step(self):
        self.done += self.costs[self.index]
        self.index += 1

    def finish(self):
        self.show("done")
        if self.tty:
            sys.stderr.write("\n")


def _clock(seconds):
    seconds = int(max(0, seconds))
    return "%d:%02d" % (seconds // 60, seconds % 60)


def estimated_seconds(spec, dtype, batch, context, prefill, device="cpu"):
    """A rough cost for the ETA only (two cores: ~100 GFLOP/s fp32, ~35 bf16, ~10 GB/s; a GPU: start-up, build)."""
    if device == "cuda":
        return 6.0 + models_params(spec) * (4 if dtype == "fp32" else 2) / 5e9
    import_s = 2.0
    n = sum(int(g["count"]) for g in spec["layers"])
    params = models_params(spec)
    es = 4 if dtype == "fp32" else 2
    flops_rate = 100e9 if dtype == "fp32" else 35e9
    build = params * es / 1.5e9
    decode = 13 * (params * es / 10e9 + n * 5e-4) + 1.0
    pre = 3 * 2.0 * params * batch * context / flops_rate if prefill else 0.0
    return import_s + build + decode + min(pre, 2 * 2.0 * params * batch * context / flops_rate + 3)


def models_params(spec):
    """Approximate parameter count (for the ETA): embedding, attention, feed-forward."""
    d, v = spec["hiddenSize"], spec["vocabSize"]
    total = d * v * (1 if spec["tiedEmbeddings"] else 2)
    for g in spec["layers"]:
        a, ff = g["kind"]["attention"], g["kind"]["feedForward"]
        att = 2 * d * a["heads"] * a["headDim"] + 2 * d * a["kvHeads"] * a["headDim"]
        m = ff["expert"] if ff["type"] == "moe" else ff
        mlp = (3 if m["type"] == "gated" else 2) * d * m["intermediateSize"]
        if ff["type"] == "moe":
            mlp *= ff["routedExperts"] + ff["sharedExperts"]
        total += g["count"] * (att + mlp)
    return total


def check_torch(env, device="cpu"):
    """The measuring interpreter must import a working torch (and see a GPU for cuda); otherwise its one line, and
    exit 3."""
    code = ("import sys; sys.path.insert(0, %r); import common; common.setup_device(common.import_torch(), %r)"
            % (HERE, device))
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
        msg = lines[-1] if lines else "PyTorch check failed with exit code %d" % p.returncode
        if msg.startswith("strata reference: "):
            msg = msg[len("strata reference: "):]
        common.fail(msg, common.EXIT_NO_TORCH)


# What the memory quantities mean on a GPU (run.py --device cuda): the CUDA caching allocator's counters.
CUDA_NOTES = {
    "loaded_rss_bytes": "torch.cuda.memory_allocated after weights and the filled cache, before any forward pass",
    "peak_memory_bytes_decode": "torch.cuda.max_memory_allocated through the decode steps (tensors only: no CUDA "
                                "context, no cached blocks; the build's temporaries reset before)",
    "peak_memory_bytes_prefill": "torch.cuda.max_memory_allocated during the warm-up and timed prefill runs "
                                 "(reset after decoding; the profiled run comes after)",
    "peak_memory_bytes": "torch.cuda.max_memory_allocated of the point: the larger of the decode and prefill peaks",
}


def rows_for(point_id, result, command):
    loaded = result.get("other_cpu_cores")
    base = {
        "model": point_id, "spec": "specs/%s.json" % point_id, "dtype": result["dtype"], "batch": result["batch"],
        "context": result["context"], "generated": result["generated"],
        "baseline_rss_bytes": result["baseline_rss_bytes"], "kv_capacity_tokens": result["kv_capacity_tokens"],
        "prefill_logits": result["prefill_logits"], "machine": result["machine"], "cores": result["cores"],
        "threads": result["threads"], "omp_wait_policy": result["omp_wait_policy"],
        "malloc_mmap_threshold": result.get("malloc_mmap_threshold", "default"),
        "torch_version": result["torch_version"], "blas": result["blas"],
        "load_avg_1m": max(result.get("load_avg_start") or 0, result.get("load_avg_end") or 0),
        "other_cpu_cores": loaded,
        "loaded_machine": None if loaded is None else loaded >= LOADED_OTHER_CORES,
        "date": result["date"], "command": command, "device": result.get("device", "cpu"),
    }
    rows = []
    for quantity, key, unit, p10, p90, reps, note in QUANTITIES:
        if result.get(key) is None:
            continue
        if result.get("device") == "cuda":
            note = CUDA_NOTES.get(quantity, note)
        r = dict(base, quantity=quantity, measured=result[key], unit=unit, note=note,
                 spread_p10=result.get(p10) if p10 else None, spread_p90=result.get(p90) if p90 else None,
                 repeats=result.get(reps) if reps else None)
        rows.append(r)
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    mode = "full" if args.full else "quick"
    env = dict(os.environ)
    if args.omp_wait_policy == "default":
        env.pop("OMP_WAIT_POLICY", None)
    else:
        env["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()
    if args.malloc_mmap_threshold == "default" or args.device == "cuda":  # CUDA memory is the allocator's, not RSS
        env.pop("MALLOC_MMAP_THRESHOLD_", None)
    elif not args.malloc_mmap_threshold.isdigit():
        common.fail("--malloc-mmap-threshold %s: a whole number of bytes, or 'default'" % args.malloc_mmap_threshold)
    else:
        env["MALLOC_MMAP_THRESHOLD_"] = args.malloc_mmap_threshold
    check_torch(env, args.device)

    cuda = args.device == "cuda"
    grid = (CUDA_FULL_GRID if cuda else FULL_GRID) if args.full else QUICK_GRID
    if args.models:
        wanted = set(args.models.split(","))
        unknown = wanted - {g[0] for g in grid}
        if unknown:
            common.fail("--models %s: not in the %s grid (%s)" % (",".join(sorted(unknown)), mode,
                                                                  ", ".join(sorted({g[0] for g in grid}))))
        grid = [g for g in grid if g[0] in wanted]
    points = [(m, dt, b, c, pre) for m, dts, b, c, pre in grid for dt in dts]

    out = args.out
    spec_dir = os.path.join(out, "specs")
    os.makedirs(spec_dir, exist_ok=True)
    for m in sorted({p[0] for p in points}):
        with open(os.path.join(spec_dir, m + ".json"), "w") as f:
            json.dump(models.MODELS[m], f, indent=2)
            f.write("\n")

    command = common.command_line("run.py", argv)
    run = {"command": command, "mode": mode, "start": common.now_iso(), "load_avg_1m_at_start": common.load_average(),
           "omp_wait_policy": env.get("OMP_WAIT_POLICY", "default"),
           "malloc_mmap_threshold": env.get("MALLOC_MMAP_THRESHOLD_", "default"), "points": len(points), "failures": []}
    t_run = time.monotonic()
    costs = [estimated_seconds(models.MODELS[m], dt, b, c, pre, args.device) for m, dt, b, c, pre in points]
    if not args.no_calibration:
        costs.insert(0, 8.0 if args.quick else 90.0)
        if mode == "full":
            costs.append(90.0)
    progress = Progress(costs)

    # a full run calibrates again after its points: the machine's speed drifts over minutes, and strata averages
    # the two calibrations (and reports how far they differ)
    calibrations = [] if args.no_calibration else ["start"] + (["end"] if mode == "full" else [])

    def calibrate(run_pass):
        progress.show("calibration" if run_pass == "start" else "calibration after the points")
        cmd = [sys.executable, os.path.join(HERE, "calibrate.py"), "--out", out, "--command", command,
               "--device", args.device, "--pass", run_pass]
        if args.quick:
            cmd.append("--quick")
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        t = time.monotonic()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        run["calibration_seconds" if run_pass == "start" else "end_calibration_seconds"] = round(time.monotonic() - t, 1)
        if p.returncode != 0:
            run["failures"].append({"point": "calibration (%s)" % run_pass, "exit": p.returncode,
                                    "stderr": _tail(p.stderr)})
        progress.step()

    if "start" in calibrations:
        calibrate("start")

    rows, lines = [], []
    for (m, dt, b, c, pre) in points:
        label = "%s %s batch %d context %d%s" % (m, dt, b, c, "" if pre else " (decode only)")
        progress.show(label)
        cmd = [sys.executable, os.path.join(HERE, "measure.py"), "--spec", os.path.join(spec_dir, m + ".json"),
               "--dtype", dt, "--batch", str(b), "--context", str(c), "--generated", str(GENERATED),
               "--device", args.device]
        cmd += MEASURE_OPTIONS["cuda-full" if cuda and mode == "full" else mode]
        cmd += ["--threads", str(args.threads)] if args.threads else []
        if not pre:
            cmd.append("--no-prefill")
        if cuda:
            result = _in_process(cmd[2:], label, run)
        else:
            try:
                p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.point_timeout)
                result = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 and p.stdout.strip() else None
                if result is None:
                    run["failures"].append({"point": label, "exit": p.returncode, "stderr": _tail(p.stderr)})
            except subprocess.TimeoutExpired:
                result = None
                run["failures"].append({"point": label, "exit": "timeout after %d s" % args.point_timeout})
        if result is not None:
            result["model_id"] = m
            lines.append(result)
            rows.extend(rows_for(m, result, command))
            write_points(out, args.device, rows, lines)  # after every point: a run cut short keeps what it measured
        progress.step()
    if "end" in calibrations:
        calibrate("end")
    progress.finish()

    prefix = args.device
    write_points(out, prefix, rows, lines)
    run["end"] = common.now_iso()
    run["seconds"] = round(time.monotonic() - t_run, 1)
    run["load_avg_1m_at_end"] = common.load_average()
    others = [l.get("other_cpu_cores") for l in lines if l.get("other_cpu_cores") is not None]
    run["other_cpu_cores_max"] = max(others) if others else None
    run["loaded_points"] = sum(1 for o in others if o >= LOADED_OTHER_CORES)
    with open(os.path.join(out, prefix + "-reference-run.json"), "w") as f:
        json.dump(run, f, indent=1, sort_keys=True)
        f.write("\n")
    sys.stderr.write("strata reference: %d points, %d rows, %d failures, %.0f s; wrote %s\n"
                     % (len(points), len(rows), len(run["failures"]), run["seconds"],
                        os.path.join(out, prefix + "-reference.csv")))
    for fl in run["failures"]:
        sys.stderr.write("  failed: %s (exit %s) %s\n" % (fl["point"], fl["exit"], fl.get("stderr", "")))
    return common.EXIT_POINT_FAILED if run["failures"] else 0


def write_points(out, prefix, rows, lines):
    """<prefix>-reference.csv (one row per point and quantity) and <prefix>-reference.jsonl (one line per point)."""
    with open(os.path.join(out, prefix + "-reference.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([common.csv_cell(r.get(c)) for c in CSV_COLUMNS])
    with open(os.path.join(out, prefix + "-reference.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line, sort_keys=True) + "\n")


def _in_process(argv, label, run):
    """A CUDA point measured in this process (measure.in_process: the allocator's peak is reset per point; a GPU
    process takes seconds to start). A failure is recorded like a failed process's."""
    import io
    import traceback
    import measure
    err = io.StringIO()
    stderr, sys.stderr = sys.stderr, err
    try:
        return measure.in_process(argv)
    except SystemExit as e:
        run["failures"].append({"point": label, "exit": e.code, "stderr": _tail(err.getvalue())})
    except Exception as e:  # noqa: BLE001  (one point's failure must not end the run)
        run["failures"].append({"point": label, "exit": type(e).__name__, "stderr": "%s: %s %s" % (
            type(e).__name__, e, traceback.format_exc().splitlines()[-3:-1])})
    finally:
        sys.stderr = stderr
    return None


def _tail(text):
    lines = [l for l in (text or "").strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
