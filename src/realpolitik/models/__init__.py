"""Collective bargaining models: pure, batched kernels over arrays, one module per model, listed in the registry."""
