"""A synthetic data set at scale for performance work: ``seed_bench(cases=N, seed=...)``."""

from carepath.bench.seed import BenchExists, BenchResult, seed_bench

__all__ = ["BenchExists", "BenchResult", "seed_bench"]
