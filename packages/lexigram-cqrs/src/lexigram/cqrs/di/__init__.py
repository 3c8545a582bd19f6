"""Handlers built by a lexigram-di container, in a scope per message when they need one.

Needs the ``di`` extra: ``pip install "lexigram-cqrs[di]"``.

- ``CQRSModule`` (``CQRSModule.configure(handlers=[...], behaviours=[...])``)
  registers the handlers and binds ``HandlerRegistry``, ``CommandBus``, ``QueryBus``
  and ``EventBus`` in the container, built when the application boots; its options are
  the keys of ``CQRSOptions``.
- ``ContainerActivator`` plugs a container into buses built by hand.
- ``ScopedUnitOfWorkBehaviour`` commits the ``UnitOfWork`` of the message's scope.
"""

try:
    import lexigram.di  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:  # the extra is not installed
    raise ImportError(
        'lexigram.cqrs.di needs lexigram-di; install it with: pip install "lexigram-cqrs[di]"'
    ) from exc

from ._activator import ContainerActivator
from ._module import CQRSModule, CQRSOptions, CQRSProvider
from ._unit_of_work import ScopedUnitOfWorkBehaviour

__all__ = [
    "CQRSModule",
    "CQRSOptions",
    "CQRSProvider",
    "ContainerActivator",
    "ScopedUnitOfWorkBehaviour",
]
