"""The server runner and the `lexigram` command; imports rooms up to `_controllers`."""
