"""Several worker processes computing at once against a Brightway directory that nobody has
built yet: the file lock lets exactly one build the background, and all get the same
numbers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.lca_models.models import BASE_EXPECTED

WORKER = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {repo!r})
    from lca_models.calculation import compute_footprint
    from lca_models.inventory_schema import load_model
    from tests.lca_models.models import base
    result = compute_footprint(load_model(base()), brightway_dir={bw!r})
    print(json.dumps([result.kg_co2e_per_declared_unit, result.inputs_sha256]))
""")


def test_parallel_workers_build_once_and_agree(tmp_path):
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[2])
    bw = str(tmp_path / "brightway")
    env = {"PATH": "/usr/bin:/bin", "BRIGHTWAY_DIR": bw, "HOME": str(tmp_path)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER.format(repo=repo, bw=bw)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env) for _ in range(3)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in outputs]
    results = {json.loads(out.strip().splitlines()[-1])[1] for out, _ in outputs}
    totals = {json.loads(out.strip().splitlines()[-1])[0] for out, _ in outputs}
    assert len(results) == 1 and len(totals) == 1
    assert abs(totals.pop() - BASE_EXPECTED) <= 1e-9 * BASE_EXPECTED
    manifests = list((tmp_path / "brightway" / "carbonlabel-manifests").glob("*.json"))
    assert len(manifests) == 1
    assert not any((tmp_path / name).exists() for name in (".local", "Library"))
