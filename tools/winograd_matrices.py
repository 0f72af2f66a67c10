#!/usr/bin/env python3
"""Derives the Winograd F(m, 3) matrices in Sources/NeuralNet/WinogradConvolution.swift.

Toom-Cook at the given points plus infinity: A^T and G from the points (Vandermonde
rows, G scaled by the Lagrange denominators), then B^T solved exactly from the
defining identity  sum_xi A^T[i, xi] G[xi, k] B^T[xi, j] = [j == i + k].
Needs sympy:  python3 tools/winograd_matrices.py
"""
import sympy as sp


def make(m, r, points):
    a = m + r - 1
    pts = [sp.Rational(p) for p in points]
    assert len(pts) == a - 1
    f = [sp.prod([pts[j] - pts[l] for l in range(a - 1) if l != j]) for j in range(a - 1)]
    at = sp.Matrix(m, a, lambda i, j: pts[j] ** i if j < a - 1 else (1 if i == m - 1 else 0))
    g = sp.Matrix(a, r, lambda j, k: pts[j] ** k / f[j] if j < a - 1 else (1 if k == r - 1 else 0))
    bt = sp.Matrix(a, a, lambda i, j: sp.Symbol(f"b{i}_{j}"))
    equations = [
        sum(at[i, x] * g[x, k] * bt[x, j] for x in range(a)) - (1 if j == i + k else 0)
        for i in range(m) for k in range(r) for j in range(a)
    ]
    return at, g, bt.subs(sp.solve(equations, list(bt)))


for m, points in [(2, [0, 1, -1]), (3, [0, 1, -1, 2]), (4, [0, 1, -1, 2, -2])]:
    at, g, bt = make(m, 3, points)
    print(f"F({m}, 3), points {points} and infinity")
    print("  B^T", bt.tolist())
    print("  G  ", g.tolist())
    print("  A^T", at.tolist())
