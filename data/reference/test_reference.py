"""Checks of the harness itself: ``/usr/bin/python3 -m unittest discover -s data/reference`` (skipped without torch).

Expected parameter counts are strata's ``params.total`` for the same spec files
(``./strata estimate --model SPEC.json --format json``), which must match exactly.
"""

import copy
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import torch
except Exception:  # no torch: every test that needs it is skipped
    torch = None

import models  # noqa: E402

# strata's params.total for each spec in models.MODELS (exact; see the module docstring).
STRATA_PARAMS_TOTAL = {
    "tiny-llama": 893_568,
    "tiny-gpt2": 986_624,
    "tiny-moe": 1_885_824,
    "llama-11m": 11_094_272,
    "gpt2-124m": 124_439_808,  # also GPT-2's published count (docs/architecture.md, "Exact parameter counts")
    "moe-194m": 193_765_888,
    "qwen2.5-0.5b": 494_032_768,
    "llama-3.2-1b": 1_235_814_400,  # also the published Llama 3.2 1B count (strata preset)
    "tiny-qknorm-swa": 1_368_896,
}


@unittest.skipIf(torch is None, "PyTorch is not importable")
class ModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import model
        cls.model = model

    def test_parameter_counts_equal_strata_exactly_for_the_small_models(self):
        for name, expected in STRATA_PARAMS_TOTAL.items():
            if expected > 200_000_000:
                continue  # the big ones are checked by every run of run.py --full (the params rows)
            with self.subTest(model=name):
                m = self.model.Decoder.build(models.MODELS[name], torch.bfloat16)
                self.assertEqual(expected, self.model.count_parameters(m))

    def test_decoding_with_the_fixed_size_cache_reproduces_the_full_forward_pass(self):
        # Tolerance 1e-4 absolute on logits of magnitude ~1-3 in fp32 (observed errors are ~2e-6).
        specs = {k: models.MODELS[k] for k in ("tiny-llama", "tiny-gpt2", "tiny-moe", "tiny-qknorm-swa")}
        alibi = copy.deepcopy(models.MODELS["tiny-qknorm-swa"])
        alibi["positions"] = "ALIBI"
        sandwich = copy.deepcopy(models.MODELS["tiny-llama"])
        sandwich["norms"]["perLayer"] = 4
        specs.update({"alibi": alibi, "four-norms": sandwich})
        torch.manual_seed(0)
        for name, spec in specs.items():
            m = self.model.Decoder.build(spec, torch.float32, seed=1)
            for T in (10, 100):  # 100 > the 64-token window: the ring buffer wraps
                with self.subTest(model=name, prompt=T), torch.inference_mode():
                    toks = torch.randint(0, spec["vocabSize"], (2, T + 3))
                    ref = m.prefill(toks, m.new_cache(2, T + 3, torch.float32), "all")
                    cache = m.new_cache(2, T + 8, torch.float32)
                    last = m.prefill(toks[:, :T], cache, "last")
                    self.assertLess(float((last[:, -1] - ref[:, T - 1]).abs().max()), 1e-4)
                    for i in range(3):
                        step = m.decode(toks[:, T + i:T + i + 1], cache, T + i)
                        self.assertLess(float((step[:, 0] - ref[:, T + i]).abs().max()), 1e-4)

    def test_a_latent_attention_spec_is_refused_with_the_field_named(self):
        spec = copy.deepcopy(models.MODELS["tiny-llama"])
        spec["layers"][0]["kind"]["attention"] = {"type": "latent"}
        with self.assertRaisesRegex(self.model.SpecError, "attention.type = latent"):
            self.model.Decoder.build(spec, torch.float32)


@unittest.skipIf(torch is None, "PyTorch is not importable")
class CalibrationPassTest(unittest.TestCase):
    def test_the_calibration_after_the_points_writes_files_of_its_own(self):
        # run.py --full calibrates twice; the second pass must not overwrite the first one's files
        import tempfile
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run([sys.executable, os.path.join(HERE, "calibrate.py"), "--quick", "--pass", "end", "--out", out],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(0, p.returncode, p.stderr)
            self.assertEqual(["cpu-calibration-end.csv", "cpu-calibration-end.json"], sorted(os.listdir(out)))
            with open(os.path.join(out, "cpu-calibration-end.csv")) as f:
                self.assertTrue(f.readline().startswith("factor,"))
                lines = f.readlines()
            self.assertTrue(any(line.startswith("stream_sum_bandwidth,") for line in lines))
            # the layer time among the products: one row per format at --quick's width, 256 in column k, a finite time
            in_situ = [line.split(",") for line in lines if line.startswith("decode_in_situ_per_layer,")]
            self.assertEqual(["bf16", "fp32"], sorted(r[2] for r in in_situ))
            for r in in_situ:
                self.assertEqual("256", r[4])
                self.assertLess(abs(float(r[7])), 1.0)


class NoTorchTest(unittest.TestCase):
    def test_a_python_without_torch_gets_one_line_and_exit_code_3(self):
        env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "testdata", "broken-torch"))
        for script in ("run.py", "measure.py", "calibrate.py"):
            with self.subTest(script=script):
                p = subprocess.run([sys.executable, os.path.join(HERE, script), "--quick", "--out", os.devnull],
                                   env=env, capture_output=True, text=True, timeout=60)
                self.assertEqual(3, p.returncode, p.stderr)
                self.assertEqual(1, len(p.stderr.strip().splitlines()), p.stderr)
                self.assertIn("PyTorch", p.stderr)
                self.assertNotIn("Traceback", p.stderr)


if __name__ == "__main__":
    unittest.main()
