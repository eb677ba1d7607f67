"""Shared helpers of the reference-stack harness: the guarded torch import, process memory, provenance.

Only the standard library at import time; torch is imported by :func:`import_torch`, which turns a missing or
broken PyTorch into one line on stderr and exit code :data:`EXIT_NO_TORCH`.
"""

import datetime
import json
import os
import platform
import re
import statistics
import sys
import time

EXIT_BAD_INPUT = 2
EXIT_NO_TORCH = 3
EXIT_POINT_FAILED = 4

NO_TORCH_HINT = ("install Debian's PyTorch and OpenBLAS (apt-get install python3-torch libopenblas0-openmp) "
                 "and run the harness with /usr/bin/python3")


def fail(message, code=EXIT_BAD_INPUT):
    """One line on stderr, then exit with ``code``; never a stack trace."""
    sys.stderr.write("strata reference: " + message.replace("\n", " ") + "\n")
    sys.exit(code)


def import_torch():
    """Imports torch and checks that a small matmul runs; on failure exits with EXIT_NO_TORCH and one line."""
    try:
        import torch  # noqa: F401
    except Exception as e:  # ImportError, or a broken install raising anything else
        fail("PyTorch is not importable by %s (%s: %s); %s"
             % (sys.executable, type(e).__name__, str(e).splitlines()[0] if str(e) else "", NO_TORCH_HINT),
             EXIT_NO_TORCH)
    try:
        a = torch.ones(4, 4)
        if float((a @ a).sum()) != 64.0:
            raise RuntimeError("4x4 matmul of ones gave a wrong sum")
    except Exception as e:
        fail("PyTorch is installed but broken (%s: %s); %s" % (type(e).__name__, e, NO_TORCH_HINT), EXIT_NO_TORCH)
    return torch


def setup_torch(torch, threads=None):
    """Threads = all cores (torch starts with 1 here), denormals flushed (random weights must not hit slow paths)."""
    n = threads or os.cpu_count() or 1
    torch.set_num_threads(n)
    torch.set_flush_denormal(True)
    return n


# ---------------------------------------------------------------------------------------------- device

DEVICES = ("cpu", "cuda")


def setup_device(torch, device):
    """Checks that ``device`` works: for CUDA a visible GPU that multiplies correctly; otherwise one line and exit
    code :data:`EXIT_NO_TORCH`. Tensors name their device explicitly (no ``torch.set_default_device``, whose Python
    mode would cost more than a small kernel)."""
    if device == "cpu":
        return
    try:
        if not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False")
        a = torch.ones(4, 4, device="cuda")
        if float((a @ a).sum()) != 64.0:
            raise RuntimeError("4x4 matmul of ones gave a wrong sum on the GPU")
    except Exception as e:
        fail("--device cuda: no working CUDA device (%s: %s)" % (type(e).__name__, e), EXIT_NO_TORCH)


def run_a_product_of_each_format(torch, device):
    """A small matrix product in fp32 and in bf16 on ``device``, waited for: the library's one-time buffers (cuBLAS
    takes its workspaces through the CUDA allocator) exist afterwards, as in any process that has run a model."""
    for dt in (torch.float32, torch.bfloat16):
        a = torch.ones(64, 64, dtype=dt, device=device)
        (a @ a).sum().item()


def synchronizer(torch, device):
    """A function that waits for the device's queued work (CUDA kernels run asynchronously); a no-op on the CPU."""
    return torch.cuda.synchronize if device == "cuda" else (lambda: None)


class DeviceMemory:
    """What a point's memory figures mean per device. CPU: the process's resident memory (VmRSS, peak VmHWM, reset
    through /proc/self/clear_refs). CUDA: bytes the caching allocator hands out to tensors
    (``torch.cuda.memory_allocated``, peak ``max_memory_allocated``, reset by ``reset_peak_memory_stats``): the
    tensors alone, not the CUDA context nor the allocator's cached blocks (``max_memory_reserved``, recorded too)."""

    def __init__(self, torch, device):
        self.torch, self.cuda = torch, device == "cuda"

    def current(self):
        return int(self.torch.cuda.memory_allocated()) if self.cuda else rss_bytes()

    def peak(self):
        if self.cuda:
            self.torch.cuda.synchronize()
            return int(self.torch.cuda.max_memory_allocated())
        return peak_rss_bytes()

    def peak_reserved(self):
        return int(self.torch.cuda.max_memory_reserved()) if self.cuda else None

    def reset_peak(self):
        if self.cuda:
            self.torch.cuda.synchronize()
            self.torch.cuda.reset_peak_memory_stats()
            return True
        return reset_peak_rss()


# ---------------------------------------------------------------------------------------------- process memory

def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def rss_bytes():
    """Current resident set size (VmRSS) in bytes."""
    v = _status_kib("VmRSS")
    return None if v is None else v * 1024


def peak_rss_bytes():
    """Peak resident set size of this process (VmHWM, or ru_maxrss where /proc lacks it) in bytes."""
    v = _status_kib("VmHWM")
    if v is not None:
        return v * 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to /proc/self/clear_refs). True if it worked."""
    try:
        before = peak_rss_bytes()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return peak_rss_bytes() <= before
    except OSError:
        return False


# glibc's mallopt parameter for the mmap threshold (malloc.h: M_MMAP_THRESHOLD)
M_MMAP_THRESHOLD = -3
# the mmap threshold timings run with: glibc's largest sliding threshold on a 64-bit system (DEFAULT_MMAP_THRESHOLD_MAX,
# 32 MiB), where a process that has run a while settles, so tensors below it come from the heap and are reused
TIMING_MMAP_THRESHOLD = 32 << 20


def memory_mmap_threshold():
    """The fixed mmap threshold the run gave this process for its memory measurements (MALLOC_MMAP_THRESHOLD_), or
    None (glibc's own sliding threshold, or not glibc)."""
    v = os.environ.get("MALLOC_MMAP_THRESHOLD_", "")
    return int(v) if v.isdigit() else None


class timing_allocator:
    """Context for timed runs on the CPU when the process runs with a fixed small mmap threshold for its memory
    measurements: inside, glibc serves allocations up to TIMING_MMAP_THRESHOLD from its heap, as a process under its
    default settles to; under the 64 KiB threshold every tensor over it is a fresh mapping whose pages fault in when
    written (a batch-16 decode step of Llama-11M took 31-36 ms instead of 17-19, Qwen2.5-0.5B's 660-700 ms instead of
    480-490). On leaving, the memory threshold is set back and the heap's free memory returned to the system
    (malloc_trim), so that a peak measured next starts from the live tensors. A no-op without a fixed threshold."""

    def __enter__(self):
        self.threshold = memory_mmap_threshold()
        if self.threshold is not None:
            import ctypes
            self.libc = ctypes.CDLL("libc.so.6")
            self.libc.mallopt(M_MMAP_THRESHOLD, TIMING_MMAP_THRESHOLD)
        return self

    def __exit__(self, *exc):
        if self.threshold is not None:
            self.libc.mallopt(M_MMAP_THRESHOLD, self.threshold)
            self.libc.malloc_trim(0)
        return False


# ---------------------------------------------------------------------------------------------- provenance

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def blas_info(torch):
    """BLAS as torch reports it (BLAS_INFO in torch.__config__.show()) and the BLAS library actually mapped.

    Debian's torch says BLAS_INFO=generic: it links libblas.so.3, which the alternatives system points at the
    reference BLAS or at OpenBLAS; /proc/self/maps tells which one was loaded.
    """
    config = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", config)
    declared = m.group(1) if m else "unknown"
    mkldnn = re.search(r"MKL-DNN v([\d.]+)", config) or re.search(r"oneDNN v([\d.]+)", config)
    loaded = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                name = line.strip().split("/")[-1] if "/" in line else ""
                if re.match(r"lib(open)?blas|libmkl_rt|libblis", name):
                    loaded.add(line.strip().split()[-1])
    except OSError:
        pass
    libs = []
    for path in sorted(loaded):
        base = os.path.basename(path)
        parent = os.path.basename(os.path.dirname(path))
        libs.append(base if parent in ("lib", "x86_64-linux-gnu", "aarch64-linux-gnu") else parent + "/" + base)
    text = "BLAS_INFO=%s; loaded=%s" % (declared, "+".join(libs) if libs else "none")
    if mkldnn:
        text += "; oneDNN " + mkldnn.group(1)
    return text


def cuda_info(torch):
    """The CUDA stack in place of the CPU BLAS: CUDA and cuDNN versions, cuBLAS, whether fp32 products may use TF32."""
    cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    return "CUDA %s; cuBLAS; cuDNN %s; TF32 matmul %s; host CPU %s" % (
        torch.version.cuda, cudnn, "on" if torch.backends.cuda.matmul.allow_tf32 else "off", cpu_model())


def provenance(torch, threads, device="cpu"):
    cuda = device == "cuda"
    return {
        "machine": torch.cuda.get_device_name() if cuda else cpu_model(),
        "cores": os.cpu_count(),
        "threads": threads,
        "torch_version": torch.__version__,
        "blas": cuda_info(torch) if cuda else blas_info(torch),
        "device": device,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "malloc_mmap_threshold": os.environ.get("MALLOC_MMAP_THRESHOLD_", "default"),
        "python": platform.python_version(),
        "date": now_iso(),
    }


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------- statistics

def quantile(values, q):
    """Linear-interpolated quantile (q in [0, 1]) of a non-empty list."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summary(values):
    """Median with p10 and p90 of repeated timings."""
    return {"median": statistics.median(values), "p10": quantile(values, 0.1), "p90": quantile(values, 0.9),
            "n": len(values)}


def print_json_line(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------- command lines

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATH_OPTIONS = ("--out", "--spec")


def repo_relative(path):
    """``path`` relative to the repository root, or ``OUT`` when it lies outside (no machine paths in outputs)."""
    full = os.path.abspath(path)
    if full == os.devnull:
        return full
    rel = os.path.relpath(full, REPO_ROOT)
    return "OUT" if rel.startswith("..") else rel


def command_line(script, argv):
    """The command that reproduces this run, from the repository root, without any path of this machine."""
    system = os.path.realpath(sys.executable).startswith("/usr/bin/python3") and sys.prefix == sys.base_prefix
    interpreter = "/usr/bin/python3" if system else "python3"  # a virtual environment's python links to /usr/bin too
    args = list(argv)
    for i, a in enumerate(args):
        for opt in PATH_OPTIONS:
            if a.startswith(opt + "="):
                args[i] = opt + "=" + repo_relative(a[len(opt) + 1:])
            elif i > 0 and args[i - 1] == opt:
                args[i] = repo_relative(a)
    return " ".join([interpreter, "data/reference/" + script] + args)


def csv_cell(v):
    """A CSV cell: plain numbers (no exponent for integers), empty for None, text starting with = + - @ neutralised
    with a leading apostrophe so a spreadsheet never evaluates it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return ""
        return repr(v) if abs(v) >= 1e-4 or v == 0 else "%.6e" % v
    s = str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


# ---------------------------------------------------------------------------------------------- other load

def cpu_snapshot():
    """(wall seconds, busy CPU seconds of the whole machine, CPU seconds of this process)."""
    busy = None
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
        busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    t = os.times()
    return time.monotonic(), busy, t.user + t.system


def other_cpu_cores(start, end):
    """Average number of cores that other processes kept busy between two snapshots (None if unknown)."""
    if start[1] is None or end[1] is None or end[0] <= start[0]:
        return None
    return round(max(0.0, ((end[1] - start[1]) - (end[2] - start[2])) / (end[0] - start[0])), 3)
