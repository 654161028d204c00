"""Weight matrices for the CPU runner: one int8 copy, used two ways.

Decoding multiplies a few rows by each matrix, which is memory-bound: int8 weights with bf16
activations (`_weight_int8pack_mm`) read a quarter of the fp32 bytes and keep the same top-1 token
as fp32 on ~95-99% of positions. A prompt multiplies hundreds of rows, where that kernel loses to
a bf16 GEMM (oneDNN, AVX512-BF16); there the int8 matrix is widened to bf16 for the one call.
The runner used to keep a resident bf16 copy of every matrix for prompts (200 MB); widening on
the fly costs a few ms per layer against a prompt's hundreds of ms (see bench/model.py).
Dynamic int8 (activations quantized too) was as fast but agreed on only 57-90% of tokens:
Gemma's activation outliers do not survive it.
"""

from __future__ import annotations

import logging

import torch
from torch.nn import functional as F

log = logging.getLogger(__name__)

INT8_ROWS = 12  # up to this many rows the int8 kernel beats widening + bf16 GEMM


def quantize_int8(weight: torch.Tensor, chunk: int = 8192) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-output-row symmetric int8: (int8 weight [out, in], bf16 scales [out])."""
    out_features = weight.shape[0]
    qweight = torch.empty(weight.shape, dtype=torch.int8)
    scales = torch.empty(out_features, dtype=torch.float32)
    # row chunks keep the fp32 temporaries small: a 140k-row head at once would add ~1 GiB
    for start in range(0, out_features, chunk):
        w = weight[start : start + chunk].float()
        s = (w.abs().amax(dim=1) / 127.0).clamp(min=1e-8)
        qweight[start : start + chunk] = torch.round(w / s[:, None]).to(torch.int8)
        scales[start : start + chunk] = s
    return qweight, scales.to(torch.bfloat16)


class Int8Matrix:
    """y = x W^T from int8 weights and bf16 per-row scales (the only copy of W kept)."""

    def __init__(self, qweight: torch.Tensor, scales: torch.Tensor, int8_rows: int = INT8_ROWS):
        self.qweight, self.scales, self.int8_rows = qweight, scales, int8_rows
        self.out_features, self.in_features = qweight.shape

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Project x [..., in] (any float dtype); returns x's dtype."""
        flat = x.reshape(-1, self.in_features).to(torch.bfloat16)
        if flat.shape[0] <= self.int8_rows:
            out = torch._weight_int8pack_mm(flat.contiguous(), self.qweight, self.scales)
        else:
            out = F.linear(flat, self.dense())
        return out.reshape(*x.shape[:-1], self.out_features).to(x.dtype)

    def dense(self) -> torch.Tensor:
        """The weights widened to bf16 [out, in] (a temporary)."""
        return self.qweight.to(torch.bfloat16) * self.scales[:, None]


class DenseMatrix:
    """y = x W^T with W kept as is (bf16 on a GPU; also the reference on CPU)."""

    def __init__(self, weight: torch.Tensor) -> None:
        self.weight = weight
        self.out_features, self.in_features = weight.shape

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Project x (any float dtype); returns x's dtype."""
        return F.linear(x.to(self.weight.dtype), self.weight).to(x.dtype)

    def dense(self) -> torch.Tensor:
        """The weights [out, in]."""
        return self.weight


Matrix = Int8Matrix | DenseMatrix


def int8_supported() -> bool:
    """Whether this torch build has the int8-weight CPU matmul."""
    try:
        q = torch.ones(8, 8, dtype=torch.int8)
        x = torch.ones(1, 8, dtype=torch.bfloat16)
        torch._weight_int8pack_mm(x, q, torch.ones(8, dtype=torch.bfloat16))
        return True
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
