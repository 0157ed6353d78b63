"""Compare ``publisher sanitise`` with ``vipsthumbnail``, whole process each time.

Usage::

    .venv/bin/python benchmarks/bench_sanitise.py [PHOTOS] [--runs 7]

PHOTOS defaults to $PHOTOS_DIR, else ~/.cache/sanitiser-bench/photos, which is
where ../shared/bench/fetch_photos.sh puts its photo set (run it once first;
``--extra`` adds a HEIC and a PNG). For every photo, the two commands run in
turn, alternating which goes first, and the medians are compared. Then a
50-photo batch in one ``publisher sanitise`` process is compared with vips'
time per photo, and peak memory is measured on the largest JPEG.

Targets: per-photo median ratio (publisher/vips) at most 1.0 on every photo;
batch time per photo at most 0.8 of vips'; peak RSS at most 100 MiB.

Python runs with its bytecode cache on (in a scratch PYTHONPYCACHEPREFIX, so
the source tree is not written), as an installed product would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PHOTOS = Path(
    os.environ.get("PHOTOS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "sanitiser-bench/photos"
)
FETCH = Path(__file__).resolve().parents[2] / "shared/bench/fetch_photos.sh"
RATIO_TARGET = 1.0
BATCH_TARGET = 0.8
RSS_TARGET_MIB = 100
#: What phone and camera photos arrive as; the PNG of ``--extra`` is not one.
CAMERA_SUFFIXES = frozenset({".jpg", ".jpeg", ".heic", ".heif"})


def product_command() -> list[str]:
    """The installed console script, else ``python -m publisher``."""
    script = Path(sys.executable).with_name("publisher")
    if script.exists():
        return [str(script), "sanitise"]
    return [sys.executable, "-m", "publisher", "sanitise"]


ENV = dict(os.environ)


def run_product(photos: list[Path], out: Path) -> float:
    command = [*product_command(), *map(str, photos), "--out-dir", str(out)]
    return _timed(command)


def run_vips(photo: Path, out: Path) -> float:
    target = out / f"{photo.stem}-vips.jpg"
    return _timed(
        ["vipsthumbnail", str(photo), "-s", "1080", "-o", f"{target}[Q=85,strip]"]
    )


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr.decode(errors='replace')}")
    return elapsed


def per_photo(photos: list[Path], runs: int, out: Path) -> list[float]:
    print(f"{'photo':24} {'publisher':>10} {'vips':>8} {'ratio':>6}")
    ratios = []
    for photo in photos:
        run_product([photo], out)  # warm the page and bytecode caches
        run_vips(photo, out)
        mine, theirs = [], []
        for index in range(runs):
            # Alternate which command goes first, so neither always runs warm.
            if index % 2:
                theirs.append(run_vips(photo, out))
            mine.append(run_product([photo], out))
            if not index % 2:
                theirs.append(run_vips(photo, out))
        ratio = statistics.median(mine) / statistics.median(theirs)
        ratios.append(ratio)
        print(
            f"{photo.name:24} {statistics.median(mine) * 1000:8.0f}ms "
            f"{statistics.median(theirs) * 1000:6.0f}ms {ratio:6.2f}"
        )
        _empty(out)
    return ratios


def batch(folder: Path, runs: int, out: Path) -> tuple[float, float]:
    photos = sorted(folder.glob("*.jpg"))
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(run_product(photos, out) / len(photos))
        _empty(out)
        theirs.append(sum(run_vips(photo, out) for photo in photos) / len(photos))
        _empty(out)
    return statistics.median(mine), statistics.median(theirs)


def peak_rss_mib(command: list[str]) -> float:
    """Peak resident memory of one run of ``command``, in MiB."""
    timer = shutil.which("time") or "/usr/bin/time"
    if Path(timer).exists():
        done = subprocess.run(
            [timer, "-f", "%M", *command],
            capture_output=True,
            text=True,
            check=True,
            env=ENV,
        )
        return int(done.stderr.strip().splitlines()[-1]) / 1024
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN)"
        ".ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command],
        capture_output=True,
        text=True,
        env=ENV,
    )
    return int(done.stdout) / 1024


def _empty(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="?", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--batch-runs", type=int, default=3)
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"No photos in {args.photos}. Make them with: bash {FETCH} [--extra]")
        return 2
    if shutil.which("vipsthumbnail") is None:
        print("vipsthumbnail is missing: apt-get install libvips-tools")
        return 2

    singles = sorted(args.photos.glob("*.jpg"))
    singles += sorted(p for p in (args.photos / "extra").glob("*") if p.is_file())
    print(f"publisher command: {' '.join(product_command())}")
    print(f"{os.cpu_count()} cores; {args.runs} runs per photo; medians\n")
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryDirectory() as pyc:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = pyc
        out = Path(scratch)
        ratios = per_photo(singles, args.runs, out)
        batch_dir = args.photos / "batch50"
        mine = theirs = None
        if batch_dir.is_dir():
            mine, theirs = batch(batch_dir, args.batch_runs, out)
        largest = max(sorted(args.photos.glob("*.jpg")), key=lambda p: p.stat().st_size)
        rss = peak_rss_mib([*product_command(), str(largest), "--out-dir", scratch])
        vips_rss = peak_rss_mib(
            [
                "vipsthumbnail",
                str(largest),
                "-s",
                "1080",
                "-o",
                f"{out}/v.jpg[Q=85,strip]",
            ]
        )

    print()
    by_photo = dict(zip(singles, ratios, strict=True))
    camera = [r for photo, r in by_photo.items() if photo.suffix in CAMERA_SUFFIXES]
    print(f"per-photo ratio: median over photos {statistics.median(ratios):.2f}")
    for label, group in (
        ("camera photos (JPEG, HEIC)", camera),
        ("every photo", ratios),
    ):
        if group:
            verdict = "met" if max(group) <= RATIO_TARGET else "MISSED"
            print(
                f"  worst of {label}: {max(group):.2f} "
                f"(target <= {RATIO_TARGET} on each: {verdict})"
            )
    if mine is not None and theirs is not None:
        share = mine / theirs
        verdict = "met" if share <= BATCH_TARGET else "MISSED"
        print(
            f"batch of 50: {mine * 1000:.0f} ms/photo vs vips {theirs * 1000:.0f} "
            f"ms/photo = {share:.2f} (target <= {BATCH_TARGET}: {verdict})"
        )
    verdict = "met" if rss <= RSS_TARGET_MIB else "MISSED"
    print(
        f"peak RSS on {largest.name}: {rss:.0f} MiB (vips {vips_rss:.0f} MiB; "
        f"target <= {RSS_TARGET_MIB}: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
