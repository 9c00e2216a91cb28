#!/usr/bin/python3
"""Chebyshev coefficients for erfc, pasted into dev.ember.backend.Special (the scalar erf/erfc behind Tensor.erf).

For z >= 0 let t = 2 / (2 + z) in (0, 1] and u = 2t - 1 in (-1, 1]. Then
    erfc(z) = t * exp(-z^2 + g(u)),  g(u) = sum_k c_k T_k(u),
where g is smooth on [-1, 1] (as z -> oo, erfc(z) ~ exp(-z^2) / (z sqrt(pi))), so 28 terms give
erfc to about 1e-16 relative. Coefficients come from Chebyshev interpolation at 64 nodes in 50-digit
arithmetic (mpmath). Run: /usr/bin/python3 tools/erfc_chebyshev.py
"""
import mpmath as mp

mp.mp.dps = 50
N = 64
TERMS = 28


def g(u):
    t = (u + 1) / 2
    if t == 0:
        return mp.log(1 / (2 * mp.sqrt(mp.pi)))
    z = 2 / t - 2
    return mp.log(mp.erfc(z) / t) + z * z


nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / N) for k in range(N)]
vals = [g(x) for x in nodes]
coef = []
for j in range(TERMS):
    s = sum(vals[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / N) for k in range(N))
    coef.append(2 * s / N)
coef[0] /= 2
print(",\n".join(repr(float(c)) for c in coef))
