"""Shared helpers for the benchmarks: timing, machine info, result files.

Every benchmark measures its contenders side by side in one process and
reports ratios, because absolute times drift on shared machines. Results go
to ``benchmarks/results/<name>.json`` and a Markdown table into the section
of ``benchmarks/README.md`` between ``<!-- <name>:start -->`` and
``<!-- <name>:end -->``.
"""

import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"


def machine():
    """What the numbers were measured on."""
    import numpy
    import sklearn
    import skorch
    import torch

    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def timed(fn):
    """Run ``fn()`` once; return ``(seconds, result)``."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved_medians(contenders, repeats):
    """Time each contender ``repeats`` times, interleaving the rounds.

    ``contenders`` maps a name to a zero-argument callable. Interleaving
    (A, B, C, A, B, C, ...) spreads slow phases of a shared machine over all
    contenders. Returns ``{name: {"median": s, "times": [...]}}``.
    """
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            times[name].append(timed(fn)[0])
    return {name: {"median": statistics.median(t), "times": t}
            for name, t in times.items()}


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def save(name, payload, table, notes=""):
    """Write the JSON result and the README section of benchmark ``name``."""
    RESULTS.mkdir(exist_ok=True)
    info = machine()
    payload = {"benchmark": name, "machine": info, **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    where = (f"_{info['date']}, {info['cpu_count']} CPU cores "
             f"({info['processor']}), torch {info['torch']}, "
             f"{'GPU ' + info['cuda'] if info['cuda'] else 'no GPU'}._")
    section = "\n\n".join(s for s in (table, notes, where) if s)
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + f"\n\n## {name}\n\n{block}\n"
    README.write_text(text)
    print(section)
