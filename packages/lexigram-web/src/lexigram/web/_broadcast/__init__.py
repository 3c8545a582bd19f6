"""Fan-out of messages to subscribers in every process: the ``Broadcaster`` seam, bounded
subscriber queues, the memory and Redis broadcasters; imports `_declare`, `_http`, `_config`."""
