"""The first step of `make run` and `make test` on a fresh clone, with the distribution's own Python: uv
lands in the project's private .tools/ environment and nothing is installed into the system interpreter."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION_PYTHON = Path("/usr/bin/python3")


def installed(python: Path) -> str:
    return subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def test_the_uv_bootstrap_works_with_the_distribution_python_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    before = installed(DISTRIBUTION_PYTHON)
    # Only the distribution's directories on PATH, as on a stock Debian or Ubuntu.
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        ["make", "uv", f"PYTHON={DISTRIBUTION_PYTHON}"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    uv = clone / ".tools" / "bin" / "uv"
    version = subprocess.run([str(uv), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("uv 0.13.9")
    assert (clone / ".tools" / "pyvenv.cfg").read_text().count("/usr/bin") >= 1
    assert installed(DISTRIBUTION_PYTHON) == before, "the system interpreter was changed"
    # Run a second time: nothing to do.
    again = subprocess.run(["make", "uv"], cwd=clone, env=env, capture_output=True, text=True, check=True)
    assert "pip install" not in again.stdout
    shutil.rmtree(clone)
