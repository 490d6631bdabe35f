"""The data contract (version 1) as code: schema, parsers, validation rules."""
