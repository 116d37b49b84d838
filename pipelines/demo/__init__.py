"""Demo data: a realistic, messy year of raw files for Huayang Street, plus its truth."""

from pipelines.demo.generator import generate

__all__ = ["generate"]
