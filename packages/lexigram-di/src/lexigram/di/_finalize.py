"""Run generator finalizers in reverse order; a failing one never stops the others."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from ._errors import FinalizerError

logger = logging.getLogger("lexigram.di")


def _yielded_twice(label: str) -> RuntimeError:
    return RuntimeError(
        f"the generator factory of {label} yielded more than once; yield the instance exactly once"
    )


def close_sync(finalizers: list[tuple[str, Any]]) -> list[BaseException]:
    """Finalize sync generators, newest first; async ones are reported, not run."""
    errors: list[BaseException] = []
    while finalizers:
        label, gen = finalizers.pop()
        if inspect.isasyncgen(gen):
            error: BaseException = RuntimeError(
                f"{label} has an async finalizer, which a sync close cannot run; close with "
                f"`async with` / `await ....aclose()` instead"
            )
            errors.append(_note(error, label))
            continue
        try:
            next(gen)
        except StopIteration:
            continue
        except Exception as exc:
            errors.append(_note(exc, label))
            continue
        gen.close()
        errors.append(_note(_yielded_twice(label), label))
    return errors


async def close_async(finalizers: list[tuple[str, Any]]) -> list[BaseException]:
    """Finalize sync and async generators, newest first."""
    errors: list[BaseException] = []
    while finalizers:
        label, gen = finalizers.pop()
        if not inspect.isasyncgen(gen):
            errors.extend(close_sync([(label, gen)]))
            continue
        try:
            await anext(gen)
        except StopAsyncIteration:
            continue
        except Exception as exc:
            errors.append(_note(exc, label))
            continue
        await gen.aclose()
        errors.append(_note(_yielded_twice(label), label))
    return errors


def _note(exc: BaseException, label: str) -> BaseException:
    exc.add_note(f"raised by the finalizer of {label}")
    return exc


def report(errors: list[BaseException], what: str, body_error: BaseException | None) -> None:
    """Raise ``FinalizerError`` for ``errors``; when the body already failed, annotate it."""
    if not errors:
        return
    summary = "; ".join(f"{type(e).__name__}: {e}" for e in errors)
    message = f"{len(errors)} finalizer(s) failed while closing the {what}: {summary}"
    if body_error is not None:
        logger.error(message)
        body_error.add_note(message)
        return
    raise FinalizerError(message, errors) from errors[0]
