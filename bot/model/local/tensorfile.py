"""Memory-mapped safetensors files: tensors that are views of the file, read only when touched.

Why not `safetensors.torch.load_file`: it copies every tensor into private memory, so each
process pays the whole file in RSS and a start reads all of it. A private (copy-on-write)
mapping makes a tensor a view of the page cache: the 335 MB embedding costs only the rows a
prompt looks up, and several processes serving the same model share one copy of the weights.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import torch

DTYPES = {
    "BF16": torch.bfloat16, "F16": torch.float16, "F32": torch.float32, "I8": torch.int8,
    "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8,
}  # fmt: skip


class TensorFile:
    """A safetensors file mapped into memory; `tensor(name)` is a zero-copy view."""

    def __init__(self, path: Path) -> None:
        self.path = path
        size = path.stat().st_size
        with path.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(header_len))
        self.metadata: dict[str, str] = header.pop("__metadata__", None) or {}
        self.entries: dict[str, dict] = header
        self._data_start = 8 + header_len
        storage = torch.UntypedStorage.from_file(str(path), shared=False, nbytes=size)
        self._bytes = torch.empty(0, dtype=torch.uint8).set_(storage)

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def tensor(self, name: str) -> torch.Tensor:
        """The named tensor as a view of the mapping (a copy only if it is misaligned)."""
        entry = self.entries[name]
        dtype = DTYPES[entry["dtype"]]
        start, end = entry["data_offsets"]
        raw = self._bytes[self._data_start + start : self._data_start + end]
        itemsize = torch.empty(0, dtype=dtype).element_size()
        if (self._data_start + start) % itemsize:
            raw = raw.clone()  # a view must start on an element boundary
        return raw.view(dtype).view(entry["shape"])


def save_tensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """Write tensors as safetensors atomically (a reader never sees a half-written file)."""
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp), metadata=metadata)
    tmp.replace(path)
