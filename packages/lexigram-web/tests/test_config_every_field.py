"""Every ``WebConfig`` setting, found by walking the model, has a check proving its effect.

A new setting without a check fails ``test_every_setting_has_an_effect_check``: add one to the
``CHECKS`` of a ``config_effects_*`` module that makes the same request with the default and
with the setting changed, and shows the answers differ.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import config_effects_observability
import config_effects_requests
import config_effects_scale
import config_effects_sections
import pytest
from config_effects_probe import Env
from pydantic import BaseModel

from lexigram.web import WebConfig

CHECKS = {
    **config_effects_requests.CHECKS,
    **config_effects_sections.CHECKS,
    **config_effects_observability.CHECKS,
    **config_effects_scale.CHECKS,
}
EXTRAS = {
    **config_effects_sections.EXTRAS,
    **config_effects_observability.EXTRAS,
    **config_effects_scale.EXTRAS,
}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class of a field's annotation (``X | None`` included), else ``None``."""
    members = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )
    for member in members:
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def settings_of(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The dotted name of every leaf setting of ``model``, sections walked recursively."""
    found: list[str] = []
    for name, field in model.model_fields.items():
        section = _model_in(field.annotation)
        if section is not None:
            found += settings_of(section, f"{prefix}{name}.")
        else:
            found.append(f"{prefix}{name}")
    return found


def test_every_setting_has_an_effect_check() -> None:
    settings = set(settings_of(WebConfig))
    missing = sorted(settings - set(CHECKS))
    stale = sorted(set(CHECKS) - settings)
    assert missing == [], f"settings without an effect check: {missing}"
    assert stale == [], f"checks for settings that do not exist: {stale}"


def test_the_walk_finds_nested_and_optional_sections() -> None:
    settings = settings_of(WebConfig)
    assert "cors.allow_origins" in settings
    assert "templates.auto_reload" in settings
    assert "cors" not in settings
    assert len(settings) == len(set(settings))


def _param(name: str) -> Any:
    extra = EXTRAS.get(name)
    marks = [pytest.mark.extra(extra)] if extra else []
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("setting", [_param(name) for name in sorted(CHECKS)])
async def test_the_setting_has_an_observable_effect(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await CHECKS[setting](Env(tmp_path, monkeypatch))
