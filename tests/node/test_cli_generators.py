"""`muralist serve` with a generator that cannot work stops at start with one clear line,
rather than serving and failing every user's first job."""

import os
import socket
import subprocess
import sys

import pytest

from tests.node.test_cli import current_revision_of


def _serve(env_changes: dict, database_url: str, tmp_path, *args) -> subprocess.CompletedProcess:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, MURALIST_DATABASE_URL=database_url, MURALIST_SCHEME="http",
               MURALIST_DOMAIN=f"127.0.0.1:{port}", MURALIST_BIND=f"127.0.0.1:{port}",
               MURALIST_MEDIA_DIR=str(tmp_path / "media"), **env_changes)
    # A timeout: a serve that did start would run until stopped.
    return subprocess.run([sys.executable, "-m", "node.cli", "serve", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("changes, words", [
    ({"MURALIST_GENERATOR": "comfyui"}, "MURALIST_GENERATOR_URL"),
    ({"MURALIST_GENERATOR": "automatic1111", "MURALIST_GENERATOR_URL": "127.0.0.1:7860"}, "base URL"),
    ({"MURALIST_GENERATOR": "comfyui", "MURALIST_GENERATOR_URL": "http://127.0.0.1:8188",
      "MURALIST_COMFYUI_WORKFLOW": "/nonexistent/workflow.json"}, "cannot read the ComfyUI workflow"),
    ({"MURALIST_GENERATOR": "diffusers"}, "MURALIST_DIFFUSION_MODEL_DIR"),
    ({"MURALIST_GENERATOR": "diffusers", "MURALIST_DIFFUSION_MODEL_DIR": "EMPTY"}, "no model_index.json"),
    ({"MURALIST_GENERATOR_STRENGTH": "2"}, "MURALIST_GENERATOR_STRENGTH"),
])
def test_a_generator_that_cannot_work_stops_serve(empty_database_url, tmp_path, changes, words):
    changes = {key: str(tmp_path) if value == "EMPTY" else value for key, value in changes.items()}
    done = _serve(changes, empty_database_url, tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("muralist: error:") and words in lines[0], lines[0]
    assert current_revision_of(empty_database_url) is None  # stopped before touching the database


def test_a_model_that_cannot_load_stops_serve_before_it_serves(empty_database_url, tmp_path):
    pytest.importorskip("diffusers", reason="the diffusion extra is not installed (make test installs it)")
    from tests.generation.test_diffusers import corrupt_model
    from tests.generation.tiny_diffusion import build_tiny_pipeline

    broken = corrupt_model(build_tiny_pipeline(tmp_path / "built"), tmp_path / "broken")
    # --workers 0: the workers run in the web server, which loads the model before serving.
    done = _serve({"MURALIST_GENERATOR": "diffusers", "MURALIST_DIFFUSION_MODEL_DIR": str(broken)},
                  empty_database_url, tmp_path, "--workers", "0")
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("muralist: error:") and "could not be loaded" in last, done.stderr
    assert "is serving" not in done.stdout
