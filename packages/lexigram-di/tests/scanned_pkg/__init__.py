"""A package scanned by the module tests."""

from lexigram.di import singleton


@singleton
class ScannedConfig:
    pass


class NotMarked:
    pass
