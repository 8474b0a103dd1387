"""Extraction speed: our full path (extract + normalize) against bare pdfplumber and pypdfium2.

    python -m bench.extraction [--repeat 3] [--long-pages 40] [--real DIR]

Two corpora, each measured in the same run against its own baseline: the bundled sample archive
plus a few long generated reports (our generator), and the real ODS PDFs of ``../shared/realpdf``
(or ``--real DIR``; skipped with a note when absent). Each contender reads every document once
per repeat; the best repeat counts (the machine is shared and noisy). Printed: milliseconds per
page for each, and the ratio of our full path to bare pdfplumber ``extract_text`` (target: at
most 1.2x); also our path with the table reader switched off, so its cost is measured too. Last, the time to refuse a 60,000-page file under the byte cap (the page cap is
read from its page tree before any page is built).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2

from reportwatch.demo import SAMPLES_DIR, sample_archives
from reportwatch.demo.samples.build import BUNDLED_FACTS
from reportwatch.demo.samples.facts import load_facts
from reportwatch.demo.samples.render import render_pdf
from reportwatch.series import load_series
from tasks.read.extract import extract_pdf
from tasks.read.normalize import normalize

SAMPLES = SAMPLES_DIR


def _real_dir() -> Path:
    """``REPORTWATCH_REALPDF_DIR``, else the first ``shared/realpdf`` beside the repository or a
    folder above it (as the tests find it)."""
    if os.environ.get("REPORTWATCH_REALPDF_DIR"):
        return Path(os.environ["REPORTWATCH_REALPDF_DIR"])
    root = Path(__file__).resolve().parents[1]
    found = [f / "shared" / "realpdf" for f in root.parents if (f / "shared" / "realpdf").is_dir()]
    return found[0] if found else root.parent / "shared" / "realpdf"


REAL = _real_dir()


def corpus(long_pages: int, workdir: Path) -> list[Path]:
    files = sorted(p for folder in sample_archives().values() for p in folder.glob("*.pdf"))
    facts = load_facts(BUNDLED_FACTS)
    for i, base in enumerate(facts[:3]):
        # about 12 routine paragraphs fill a page in the ODS layout
        long = base.model_copy(
            update={"filler_paragraphs": long_pages * 12, "symbol": f"S/2099/{i + 1}"}
        )
        path = workdir / f"long-{i}.pdf"
        path.write_bytes(render_pdf(long))
        files.append(path)
    return files


def bare_pdfplumber(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def bare_pdfium(path: Path) -> int:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def ours(profile: dict[str, object]) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        text = extract_pdf(path)
        normalize(text, series="kfor", profile=profile)
        return text.page_count

    return run


def without_tables(profile: dict[str, object]) -> Callable[[Path], int]:
    """Our path with the table reader answering "no table" at once (its cost, by difference)."""
    import tasks.read.extract as extract_module
    from tasks.read.tables import PageTables

    def run(path: Path) -> int:
        real = extract_module.find_tables
        extract_module.find_tables = lambda lines, page: PageTables()
        try:
            return ours(profile)(path)
        finally:
            extract_module.find_tables = real

    return run


def measure(fn: Callable[[Path], int], files: list[Path], repeat: int) -> tuple[float, int]:
    best = float("inf")
    pages = 0
    for _ in range(repeat):
        start = time.perf_counter()
        pages = sum(fn(f) for f in files)
        best = min(best, time.perf_counter() - start)
    return best, pages


def report(title: str, files: list[Path], profile: dict[str, object], repeat: int) -> float:
    contenders = {
        "bare pdfplumber extract_text": bare_pdfplumber,
        "bare pypdfium2 get_text_range": bare_pdfium,
        "reportwatch extract+normalize": ours(profile),
        "  the same without the table reader": without_tables(profile),
    }
    results = {name: measure(fn, files, repeat) for name, fn in contenders.items()}
    base_seconds, pages = results["bare pdfplumber extract_text"]
    print(f"{title}: {len(files)} documents, {pages} pages; best of {repeat} repeats")
    print(f"  {'contender':34} {'ms/page':>9} {'vs pdfplumber':>14}")
    for name, (seconds, _) in results.items():
        print(f"  {name:34} {1000 * seconds / pages:9.2f} {seconds / base_seconds:13.2f}x")
    tables = (
        results["reportwatch extract+normalize"][0]
        / results["  the same without the table reader"][0]
    )
    print(f"  the table reader: {tables:.2f}x our path without it")
    ratio = results["reportwatch extract+normalize"][0] / base_seconds
    verdict = "met" if ratio <= 1.2 else "NOT met"
    print(f"  target: full path <= 1.20x bare pdfplumber: {verdict} ({ratio:.2f}x)")
    return ratio


def refuse_huge(workdir: Path) -> None:
    from reportwatch.errors import PdfTooLargeError
    from tests.data.make_pdfs import sixty_thousand_pages

    path = workdir / "sixty-thousand-pages.pdf"
    sixty_thousand_pages(path)
    start = time.perf_counter()
    try:
        extract_pdf(path, max_pages=500)
    except PdfTooLargeError as exc:
        took = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        print(f"60,000-page file ({size:.1f} MB): refused in {1000 * took:.0f} ms ({exc.message})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long-pages", type=int, default=40)
    parser.add_argument("--real", type=Path, default=REAL, help="folder of real ODS PDFs")
    args = parser.parse_args(argv)
    profile = load_series("kfor").profile
    with tempfile.TemporaryDirectory() as tmp:
        files = corpus(args.long_pages, Path(tmp))
        report("generated samples", files, profile, args.repeat)
        real = sorted(args.real.glob("*.pdf")) if args.real.is_dir() else []
        if real:
            report(f"real ODS PDFs ({args.real})", real, profile, args.repeat)
        else:
            print(f"real ODS PDFs: none at {args.real} (pass --real DIR)")
        refuse_huge(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
