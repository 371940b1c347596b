"""Speed of the message parser beside plain jieba segmentation.  Prints figures only.

    .venv/bin/python benchmarks/bench_parser.py

- throughput on the dev + holdout messages: parser messages/s, jieba.lcut messages/s (jieba's
  default dictionary, HMM on, as a caller would use it), and the cost ratio parser / jieba;
- start-up in a fresh interpreter: import + first parse, beside import jieba + jieba.initialize().
Throughput is counted in CPU time of this process (``time.process_time``), the best of several
rounds that interleave the two sides: on a shared machine, wall time also counts the other
processes' turns on the core. The parser is timed without its cache of short texts (every
round would hit it from the second on); the pipeline benchmark shows the cache at work.
"""
import json
import logging
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = [os.path.join(ROOT, "tests", "data", name) for name in ("parser_dev.jsonl", "parser_holdout.jsonl")]
ROUNDS = 5
STARTUP_RUNS = 5

_FIRST_PARSE = """
import time
t = time.perf_counter()
from handlers.tickets.parser import parse
parse("3栋2单元楼道灯坏了好几天了")
print(time.perf_counter() - t)
"""
_JIEBA_INIT = """
import time
t = time.perf_counter()
import jieba
jieba.setLogLevel(60)
jieba.initialize()
print(time.perf_counter() - t)
"""


def _messages():
    texts = []
    for path in CORPORA:
        with open(path, encoding="utf-8") as f:
            texts.extend(json.loads(line)["text"] for line in f if line.strip())
    return texts


def _rate(fn, texts):
    t = time.process_time()
    for text in texts:
        fn(text)
    return len(texts) / (time.process_time() - t)


def _fresh(code):
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    sys.path.insert(0, ROOT)
    import jieba

    from handlers.tickets.parser import _parse_safely as parse  # the full work: no cache of short texts
    from handlers.tickets.parser import warm

    jieba.setLogLevel(logging.WARNING)
    texts = _messages()
    warm()
    jieba.initialize()
    parser_rates, jieba_rates = [], []
    for _ in range(ROUNDS):
        parser_rates.append(_rate(parse, texts))
        jieba_rates.append(_rate(jieba.lcut, texts))
    p, j = max(parser_rates), max(jieba_rates)
    print(f"messages: {len(texts)} (dev + holdout), {sum(map(len, texts)) / len(texts):.1f} characters on average")
    print(f"parser:      {p:9.0f} messages/s on one core (CPU time)")
    print(f"jieba.lcut:  {j:9.0f} messages/s on one core (CPU time)")
    print(f"cost ratio parser/jieba: {j / p:.2f}")

    first, init = [], []
    for _ in range(STARTUP_RUNS):
        first.append(_fresh(_FIRST_PARSE))
        init.append(_fresh(_JIEBA_INIT))
    f, i = statistics.median(first), statistics.median(init)
    print(f"fresh process, import + first parse:          {f * 1000:7.1f} ms (median of {STARTUP_RUNS})")
    print(f"fresh process, import jieba + initialize():   {i * 1000:7.1f} ms (median of {STARTUP_RUNS})")
    print(f"start-up ratio parser/jieba: {f / i:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
