"""The container image, without a container engine: the Dockerfile read, and its start simulated.

The simulation does what the image's runtime stage does, as far as a test can without Docker: the
project is built into a wheel (`pip wheel --no-deps`, as the build stage), the wheel is installed into
a fresh virtualenv (its dependencies come from this test environment instead of the pinned index
download), and the entrypoint runs from the Dockerfile's WORKDIR with its ENV, as its USER when the
suite runs as root and that user can run the interpreter (otherwise as the current user: see
`image_user`). A data directory outside the fake root stands for the image's WORKDIR.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
RUNTIME = DOCKERFILE.rsplit("\nFROM ", 1)[1]  # the last stage: what the image runs
CONSTRAINTS = ROOT / "constraints.txt"


def instruction(name: str, text: str = RUNTIME) -> list[str]:
    """The arguments of every `name` instruction of a stage (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.+)$", joined, re.M)]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in instruction("ENV"):
        env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return env


WORKDIR = instruction("WORKDIR")[-1]
UID, GID = (int(part) for part in instruction("USER")[-1].split(":"))


# --- the Dockerfile, read -----------------------------------------------------------------------------


def test_the_image_has_a_data_directory_its_user_owns() -> None:
    assert WORKDIR.startswith("/") and WORKDIR != "/"
    assert instruction("VOLUME") == [WORKDIR]
    (setup,) = [line for line in instruction("RUN") if "useradd" in line]
    assert f"mkdir -p {WORKDIR}" in setup and f"chown {UID}:{GID} {WORKDIR}" in setup
    # the default store is relative, so it lands in the WORKDIR
    from bridge.settings import Settings

    store = Settings().store_url.removeprefix("sqlite:///")
    assert not store.startswith("/"), "the default SQLite store must be relative to the WORKDIR"


def test_the_image_is_labelled_and_checks_its_health() -> None:
    labels = " ".join(instruction("LABEL"))
    for key in ("title", "description", "version", "revision", "created"):
        assert f"org.opencontainers.image.{key}=" in labels
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert f"ARG VERSION={version}" in RUNTIME
    (healthcheck,) = instruction("HEALTHCHECK")
    assert json.loads(healthcheck.split("CMD", 1)[1]) == ["ocpp-bridge", "healthcheck"]
    assert json.loads(instruction("ENTRYPOINT")[-1]) == ["ocpp-bridge"]


def constraints() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = Version(version)
    return pins


def load_pin_tool() -> Any:
    spec = importlib.util.spec_from_file_location("pin_image", ROOT / "tools" / "pin_image.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_image_installs_pinned_versions_that_pyproject_allows() -> None:
    """Two builds of a commit install the same versions, and those are versions the project accepts."""
    assert re.search(r"^COPY constraints\.txt ", RUNTIME, re.M)
    # the build context lets it in (.dockerignore excludes everything it does not name)
    assert "!constraints.txt" in (ROOT / ".dockerignore").read_text().splitlines()
    assert re.search(r"pip install .*--constraint \S*constraints\.txt", RUNTIME)
    pins = constraints()
    tool = load_pin_tool()
    for requirement in tool.runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} (a dependency in pyproject.toml) is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is not {requirement}"
    # everything the dependencies pull in is pinned too, and nothing else
    needed = set(tool.closure(tool.runtime_requirements()))
    assert needed - set(pins) == set(), "unpinned: run python tools/pin_image.py"
    assert set(pins) - needed == set(), "pinned but not needed: run python tools/pin_image.py"
    for name, requirement in tool.closure(tool.runtime_requirements()).items():
        assert Requirement(str(requirement)).specifier.contains(pins[name], prereleases=True), name


# --- the image's start, simulated ---------------------------------------------------------------------


@dataclass
class Image:
    root: Path  # world-readable scratch directory
    bin: Path  # the virtualenv's bin/: ocpp-bridge, python
    data: Path  # stands for the WORKDIR
    user: dict[str, Any]  # subprocess keyword arguments that switch to the image's user, or {}
    uid: int

    def env(self, **settings: str) -> dict[str, str]:
        return {
            **dockerfile_env(),
            "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin",
            "BRIDGE_HOST": "127.0.0.1",
            **settings,
        }


def image_user(python: str) -> dict[str, Any]:
    """Run as the image's USER when we are root and that user can run `python`; else as ourselves."""
    if os.getuid() != 0:
        return {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        probe = subprocess.run([python, "-c", "pass"], user=UID, group=GID, extra_groups=[], timeout=30)
        if probe.returncode == 0:
            return {"user": UID, "group": GID, "extra_groups": []}
    return {}


def interpreters() -> Iterator[str]:
    """This Python's base interpreter, then a system one of the same version (a root-only pyenv is common)."""
    yield getattr(sys, "_base_executable", sys.executable)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (shutil.which(version), f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        if candidate and os.access(candidate, os.X_OK):
            yield candidate


@pytest.fixture(scope="module")
def image() -> Iterator[Image]:
    root = Path(tempfile.mkdtemp(prefix="ocpp-bridge-image-"))
    root.chmod(0o755)
    try:
        source = root / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md", "bridge", "mappings"):
            copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
            copy(ROOT / name, source / name)
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "wheel", "--no-deps", "-w", str(root / "wheels"), str(source)], check=True)
        (wheel,) = (root / "wheels").glob("ocpp_bridge-*.whl")
        for base in interpreters():
            user = image_user(base)
            if user:
                break
        else:
            base, user = next(interpreters()), {}
        venv = root / "venv"
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # the dependencies: this environment's (the image downloads the pinned ones)
        Path(purelib, "test-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
        # --ignore-installed: the test environment (seen through the .pth) may hold the package too,
        # installed as a wheel (CI does): pip would then call it satisfied and install nothing here
        install = ["install", "--no-deps", "--no-index", "--ignore-installed", str(wheel)]
        subprocess.run([*pip, "--python", str(python), *install], check=True)
        data = root / WORKDIR.lstrip("/")
        data.mkdir(parents=True)
        if user:  # RUN mkdir -p WORKDIR && chown UID:GID WORKDIR
            os.chown(data, UID, GID)
        yield Image(root, venv / "bin", data, user, UID if user else os.getuid())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


def test_the_image_starts_as_built_and_keeps_its_store_in_its_workdir(image: Image) -> None:
    port, admin = free_port(), free_port()
    env = image.env(
        BRIDGE_CSMS_URL="ws://127.0.0.1:9/ocpp", BRIDGE_PORT=str(port), BRIDGE_ADMIN_PORT=str(admin)
    )
    process = subprocess.Popen(
        json.loads(instruction("ENTRYPOINT")[-1]),
        cwd=image.data,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        **image.user,
    )
    healthcheck = json.loads(instruction("HEALTHCHECK")[0].split("CMD", 1)[1])
    try:
        deadline = time.monotonic() + 30
        while get(f"http://127.0.0.1:{admin}/readyz") != 200:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the bridge did not become ready"
            time.sleep(0.1)
        store = image.data / "ocpp-bridge.sqlite3"
        assert store.exists() and store.stat().st_uid == image.uid
        checked = subprocess.run(
            healthcheck, env=env, capture_output=True, text=True, timeout=30, **image.user
        )
        assert checked.returncode == 0, checked.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    gone = subprocess.run(healthcheck, env=env, capture_output=True, text=True, timeout=30, **image.user)
    assert gone.returncode == 1 and str(admin) in gone.stderr


def test_an_unwritable_store_stops_the_start_with_one_line_naming_the_setting(image: Image) -> None:
    """The old image's failure: no WORKDIR, so the relative store pointed into / (not writable)."""
    if image.uid != 0:
        cwd = Path("/")
    else:  # root writes anywhere: make the store's path a directory instead, which no one can open
        cwd = image.root / "unusable"
        (cwd / "ocpp-bridge.sqlite3").mkdir(parents=True)
    env = image.env(BRIDGE_CSMS_URL="ws://127.0.0.1:9/ocpp", BRIDGE_PORT="0", BRIDGE_ADMIN_PORT="0")
    result = subprocess.run(
        ["ocpp-bridge"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, **image.user
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    message = json.loads(line)["message"]
    assert "--store-url" in message and "BRIDGE_STORE_URL" in message
    assert str(cwd / "ocpp-bridge.sqlite3") in message.replace("//", "/")
    assert not (cwd / "ocpp-bridge.sqlite3").is_file()
