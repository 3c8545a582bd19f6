"""Controllers, the generic CRUD controller, discovery; imports rooms up to `_versioning`."""
