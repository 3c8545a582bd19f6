import importlib
import sys

import pytest


def test_the_di_submodule_without_lexigram_di_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "lexigram.di", None)
    monkeypatch.delitem(sys.modules, "lexigram.cqrs.di", raising=False)
    with pytest.raises(ImportError, match=r'pip install "lexigram-cqrs\[di\]"'):
        importlib.import_module("lexigram.cqrs.di")
