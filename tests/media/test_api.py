"""The public surface of publisher.media and how light it is to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import publisher.media
from publisher.media.detect import ACCEPTED
from publisher.media.registry import HANDLERS, handler_for


def test_all_lists_the_public_surface() -> None:
    exported = set(publisher.media.__all__)
    defined = {
        name
        for name, value in vars(publisher.media).items()
        if not name.startswith("_")
        and name != "TYPE_CHECKING"
        and (name.isupper() or getattr(value, "__module__", "") == "publisher.media")
    }
    assert exported == defined


def test_every_accepted_format_has_a_handler() -> None:
    assert set(HANDLERS) == set(ACCEPTED)
    for name in ACCEPTED:
        assert name in handler_for(name).formats


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_importing_the_package_loads_no_decoder() -> None:
    loaded = _modules_after("import publisher.media")

    assert not {"PIL", "pillow_heif"} & loaded


def test_cli_command_import_is_light() -> None:
    loaded = _modules_after("from publisher.cli.sanitise_cmd import run")

    heavy = {"PIL", "pillow_heif", "sqlalchemy", "tweepy", "requests", "apscheduler"}
    assert not heavy & loaded


def test_a_jpeg_loads_no_other_decoder(tmp_path: Path) -> None:
    """Pillow's save() preloads its five basic plugins; nothing else may load."""
    source = tmp_path / "in.jpg"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(source)
    code = (
        "from pathlib import Path; from publisher.media import sanitise_image; "
        f"sanitise_image(Path({str(source)!r}), Path({str(tmp_path / 'out')!r}))"
    )
    loaded = _modules_after(code)

    assert "PIL.JpegImagePlugin" in loaded
    others = {
        "PIL.TiffImagePlugin",
        "PIL.WebPImagePlugin",
        "PIL.AvifImagePlugin",
        "PIL.ImageCms",
        "pillow_heif",
    }
    assert not others & loaded


def test_first_use_from_several_threads_at_once(tmp_path: Path) -> None:
    """Several callers at once while the first use is still loading modules.

    The first sanitise of a process loads modules on two threads (a preload
    and the caller), so callers racing it must all still work.
    """
    from PIL import Image

    sources = []
    for index, kind in enumerate(("JPEG", "PNG", "JPEG", "WEBP")):
        source = tmp_path / f"in{index}"
        Image.effect_noise((300, 200), 40).convert("RGB").save(source, kind)
        sources.append(str(source))
    code = (
        "import sys, threading; from pathlib import Path; "
        "from publisher.media import sanitise_image; results = []; "
        "run = lambda s: results.append(sanitise_image(Path(s), Path(sys.argv[1]))); "
        "threads = [threading.Thread(target=run, args=(s,)) for s in sys.argv[2:]]; "
        "[t.start() for t in threads]; [t.join() for t in threads]; "
        "print(len(results))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out"), *sources],
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.strip() == "4", done.stderr
    assert len(list((tmp_path / "out").iterdir())) == 4
