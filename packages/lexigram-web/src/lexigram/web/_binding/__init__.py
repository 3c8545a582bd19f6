"""Every parameter-binding step, validation and pipes; imports rooms up to `_routing`."""
