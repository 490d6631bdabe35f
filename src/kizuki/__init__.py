"""kizuki (気づき): early identification of households with compound needs."""

__version__ = "0.1.0"
