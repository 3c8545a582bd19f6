"""A tour of lexigram-result: ``uv run python -m examples.result_demo``."""

from __future__ import annotations

from lexigram.result import Err, Ok, Result, as_result, collect


def parse_port(text: str) -> Result[int, str]:
    parsed = as_result(ValueError)(int)(text).map_err(lambda exc: f"not a number: {text!r}")
    return parsed.filter(lambda port: 0 < port < 65536, f"out of range: {text}")


def main() -> None:
    for text in ("8080", "http", "70000"):
        match parse_port(text):
            case Ok(port):
                print(f"{text!r:>8} -> port {port}")
            case Err(message):
                print(f"{text!r:>8} -> error: {message}")
    print("all ports:", collect(parse_port(t) for t in ("80", "443")))


if __name__ == "__main__":
    main()
