"""Demo data: a realistic, messy year of raw files for Huayang Street, plus its truth."""

from demo.generator import generate

__all__ = ["generate"]
