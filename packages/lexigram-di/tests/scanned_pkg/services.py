from lexigram.di import injectable

from . import ScannedConfig


@injectable
class ScannedService:
    def __init__(self, config: ScannedConfig) -> None:
        self.config = config
