"""Batch parsing: JSON lines {"id", "text"} in, one JSON line of parse results per message out.

    python -m handlers.tickets.parse_cli < messages.jsonl > predictions.jsonl
"""
import json
import sys

from .parser import parse, warm


def run(stdin, stdout, stderr=None):
    """Parse every line of stdin to stdout.  Returns 0, or 1 when some lines had to be skipped."""
    stderr = stderr or sys.stderr
    warm()
    bad = 0
    for lineno, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as e:
            print(f"line {lineno}: skipped, {e}", file=stderr)
            bad += 1
            continue
        result = parse(obj["text"])
        stdout.write(json.dumps({"id": obj.get("id"), **result.to_dict()}, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    # JSON lines are UTF-8 whatever the locale says.
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(run(sys.stdin, sys.stdout))
